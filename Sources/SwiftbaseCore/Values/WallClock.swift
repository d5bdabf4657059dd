public import Foundation

/// Where the core reads the time of day for what expires — tokens, API keys, one-time passwords, login
/// windows — and waits for a time of day (the cron scheduler). Production reads the system clock; a test sets
/// its own (`SwiftbaseTesting.ManualClock`) and moves it past an expiry or a due time instead of waiting.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date
    private let sleeper: (@Sendable (Date) async throws -> Void)?

    /// A clock that reads `read`; `sleep(until:)` waits in real time until `read` reaches the deadline.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
        self.sleeper = nil
    }

    /// A clock that reads `read` and waits with `sleep` (which returns once the clock reads at least the
    /// given date, and throws when its task is cancelled).
    public init(_ read: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Date) async throws -> Void) {
        self.read = read
        self.sleeper = sleep
    }

    /// The time now, as this clock tells it.
    public var now: Date { read() }

    /// Returns once the clock reads `deadline` or later; throws `CancellationError` when the task is cancelled.
    /// The default waits in naps of at most `maximumNap`, reading the clock again after each, so a wall
    /// clock set forward or back (NTP, a suspended machine) is followed within that time.
    public func sleep(until deadline: Date) async throws {
        if let sleeper { return try await sleeper(deadline) }
        while true {
            let left = deadline.timeIntervalSince(read())
            if left <= 0 { return }
            try await Task.sleep(for: .seconds(min(left, Self.maximumNap)))
        }
    }

    /// The longest real-time nap of `sleep(until:)` on a clock without its own sleep, in seconds.
    static let maximumNap: TimeInterval = 30

    /// The system clock.
    public static let system = WallClock { Date() }
}
