/// A small, fast, non-cryptographic random generator (Steele, Lea and Flood's SplitMix64), seeded from the
/// system's: for ids that must not collide but need not be unguessable, made in bulk where a `getrandom` call
/// per id would cost more than the rest of the work (a batch of request log entries).
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    /// Seeded with one draw from the system's generator.
    package init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
