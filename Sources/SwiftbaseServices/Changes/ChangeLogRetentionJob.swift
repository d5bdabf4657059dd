public import Logging
public import SwiftbaseCore

/// Prunes the change log every minute, as a job of the app's `CronScheduler`, by the settings'
/// `changes.maxAgeDays` as they are at each run.
public struct ChangeLogRetentionJob: Sendable {
    /// The job's id in the scheduler (and in `GET /api/crons`).
    public static let id = "__sbChangesRetention__"

    let retention: ChangeLogRetention
    let settings: SettingsService
    let clock: WallClock
    let logger: Logger

    public init(retention: ChangeLogRetention, settings: SettingsService, clock: WallClock = .system, logger: Logger) {
        self.retention = retention
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Registers the job on `scheduler`, every minute.
    public func register(on scheduler: CronScheduler) {
        scheduler.register(id: Self.id, schedule: .everyMinute) { try await run() }
    }

    /// One pass: prunes what is older than the configured age; answers how many entries went.
    @discardableResult
    public func run() async throws -> Int {
        let pruned = try await retention.prune(maxAgeDays: settings.changesMaxAgeDays, now: clock.now)
        if pruned > 0 { logger.info("pruned the change log", metadata: ["sb.entries": "\(pruned)"]) }
        return pruned
    }
}
