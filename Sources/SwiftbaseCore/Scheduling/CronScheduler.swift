public import Foundation
public import Logging
import Synchronization

/// The server's one cron scheduler: jobs registered by id, each with a `CronSchedule` and an async action,
/// run at their minute (UTC) while `run()` runs — automatic backups, change-log retention, functions' cron
/// triggers, and whatever an embedding program registers.
///
/// Guarantees:
/// - A job runs within about a second of each minute its schedule matches, read on the injected `WallClock`.
/// - Never two runs of the same job at once: a run still going when the job is due again makes that turn be
///   skipped (and logged); the job keeps its schedule.
/// - A job that throws is logged and keeps its schedule.
/// - Jobs may be registered, replaced and removed at any time, also while `run()` runs; registering an id
///   again replaces its job (a run of the old one still going finishes).
/// - Missed minutes are not replayed: a job that fell due while the scheduler could not run (a clock set
///   forward, a machine asleep) runs once when it wakes, then at the next matching minute after that.
///
/// ```swift
/// try app.services.scheduler.register(id: "nightlyReport", expression: "0 3 * * *") {
///     try await sendReport()
/// }
/// ```
public final class CronScheduler: Sendable {
    /// What a job does when it runs.
    public typealias Action = @Sendable () async throws -> Void

    /// A registered job, as `GET /api/crons` lists it.
    public struct Job: Sendable, Equatable {
        public let id: String
        /// The schedule's five fields (a macro shows as the fields it stands for, as PocketBase lists it).
        public let expression: String

        public init(id: String, expression: String) {
            self.id = id
            self.expression = expression
        }
    }

    let clock: WallClock
    let logger: Logger
    let state = Mutex(SchedulerState())
    /// Rung when a job is added or removed, a run is asked for, or the scheduler is told to stop.
    let wake = WakeSignal()

    public init(clock: WallClock = .system, logger: Logger) {
        self.clock = clock
        self.logger = logger
    }

    // MARK: - Jobs

    /// Registers `action` to run on `schedule` under `id`, replacing the job registered under that id before.
    public func register(id: String, schedule: CronSchedule, action: @escaping Action) {
        let next = schedule.next(after: clock.now)
        state.withLock { $0.add(id: id, schedule: schedule, action: action, next: next) }
        wake.notify()
    }

    /// Parses `expression` (five fields or a macro) and registers the job; throws `CronScheduleError` for an
    /// expression that does not parse, leaving the jobs as they were.
    public func register(id: String, expression: String, action: @escaping Action) throws(CronScheduleError) {
        register(id: id, schedule: try CronSchedule(parsing: expression), action: action)
    }

    /// Removes the job registered under `id` (a run of it still going finishes); answers whether there was one.
    @discardableResult
    public func remove(id: String) -> Bool {
        let removed = state.withLock { $0.entries.removeValue(forKey: id) != nil }
        if removed { wake.notify() }
        return removed
    }

    /// The registered jobs, ordered by id (byte order).
    public var jobs: [Job] {
        state.withLock { state in
            state.entries.map { Job(id: $0.key, expression: $0.value.schedule.expression) }
        }
        .sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
    }

    /// The schedule of the job registered under `id`, or nil.
    public func schedule(of id: String) -> CronSchedule? {
        state.withLock { $0.entries[id]?.schedule }
    }

    /// When the job registered under `id` is next due, or nil (no such job, or a schedule that never fires).
    public func nextRun(of id: String) -> Date? {
        state.withLock { $0.entries[id]?.next }
    }

    /// Whether a run of the job registered under `id` is going.
    public func isRunning(_ id: String) -> Bool {
        state.withLock { $0.entries[id]?.running ?? false }
    }

    // MARK: - Running now

    /// Runs the job registered under `id` now, in the calling task, and returns when it is done; answers
    /// false when there is no such job. As for a scheduled run, a run of the job still going makes this one
    /// be skipped, and what the job throws is logged.
    @discardableResult
    public func run(id: String) async -> Bool {
        switch state.withLock({ $0.claim(id) }) {
        case .unknown: return false
        case .busy:
            logSkipped(id)
            return true
        case .claimed(let run):
            await execute(run)
            return true
        }
    }

    /// Asks the running scheduler to run the job registered under `id` now, in its own task (as
    /// `POST /api/crons/{id}` does), and returns at once; answers false when there is no such job.
    @discardableResult
    public func start(id: String) -> Bool {
        let known = state.withLock { state -> Bool in
            guard state.entries[id] != nil else { return false }
            state.requested.append(id)
            return true
        }
        if known { wake.notify() }
        return known
    }

    // MARK: - Helpers

    /// Runs one claimed run to its end, logging what it throws, then lets the job run again.
    func execute(_ run: SchedulerState.Run) async {
        do {
            try await run.action()
        } catch {
            logger.error("cron job failed", metadata: ["sb.cron.job": "\(run.id)", "sb.error": "\(error)"])
        }
        state.withLock { $0.finish(run) }
    }

    func logSkipped(_ id: String) {
        logger.warning("cron job skipped: its previous run has not finished", metadata: ["sb.cron.job": "\(id)"])
    }
}
