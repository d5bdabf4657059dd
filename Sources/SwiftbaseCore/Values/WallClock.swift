public import Foundation

/// Where the core reads the time of day for what expires — tokens, API keys, one-time passwords, login
/// windows. Production reads the system clock; a test sets its own (`SwiftbaseTesting.ManualClock`) and
/// moves it past an expiry instead of waiting for one.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The time now, as this clock tells it.
    public var now: Date { read() }

    /// The system clock.
    public static let system = WallClock { Date() }
}
