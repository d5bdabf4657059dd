extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN is 0. `Int(_: Double)` traps on a value
    /// out of range, and numbers read from JSON (settings, collection options, request bodies) can be any
    /// double, `1e300` included.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_807 {
            self = .max
        } else if value <= -9_223_372_036_854_775_808 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
