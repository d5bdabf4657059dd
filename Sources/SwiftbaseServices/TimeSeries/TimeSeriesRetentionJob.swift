public import Logging
public import SwiftbaseCore

/// Prunes time-series collections by their retentions every minute, as a job of the app's `CronScheduler`
/// (`POST /api/crons/__sbTimeSeriesRetention__` runs it now).
public struct TimeSeriesRetentionJob: Sendable {
    /// The job's id in the scheduler (and in `GET /api/crons`).
    public static let id = "__sbTimeSeriesRetention__"

    let retention: TimeSeriesRetention
    let clock: WallClock
    let logger: Logger

    public init(retention: TimeSeriesRetention, clock: WallClock = .system, logger: Logger) {
        self.retention = retention
        self.clock = clock
        self.logger = logger
    }

    /// Registers the job on `scheduler`, every minute.
    public func register(on scheduler: CronScheduler) {
        scheduler.register(id: Self.id, schedule: .everyMinute) { try await run() }
    }

    /// One pass; answers how many raw points and rollup cells went.
    @discardableResult
    public func run() async throws -> Int {
        let pruned = try await retention.prune(now: clock.now)
        if pruned > 0 { logger.info("pruned time series", metadata: ["sb.count": "\(pruned)"]) }
        return pruned
    }
}
