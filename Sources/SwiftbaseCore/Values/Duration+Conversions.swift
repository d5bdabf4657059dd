
extension Duration {
    /// As seconds, for `Date` arithmetic.
    package var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// As milliseconds, with fractions (for logs and durations people read).
    package var milliseconds: Double { timeInterval * 1000 }

    /// As whole nanoseconds (for swift-metrics timers and NIO's `TimeAmount`).
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
