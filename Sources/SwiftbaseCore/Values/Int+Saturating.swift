extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN is 0. `Int(_: Double)` traps on a value
    /// out of range, and numbers read from JSON (settings, collection options, request bodies) can be any
    /// double, `1e300` included.
    package init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 0x1p63 {  // 2^63: Int.max + 1, exactly representable
            self = .max
        } else if value <= -0x1p63 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
