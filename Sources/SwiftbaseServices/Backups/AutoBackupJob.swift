public import Logging
public import SwiftbaseCore

/// PocketBase's automatic backups: while the settings' `backups.cron` is set, the scheduler job
/// `__pbAutoBackup__` writes a backup on that schedule and keeps the newest `backups.cronMaxKeep` automatic
/// ones. The job follows the settings: registered, rescheduled or removed after every change.
public struct AutoBackupJob: Sendable {
    /// The job's id, as PocketBase names it.
    public static let id = "__pbAutoBackup__"

    let backups: BackupService
    let settings: SettingsService
    let scheduler: CronScheduler
    /// Names the backups (their UTC time), as the scheduler's clock tells it.
    let clock: WallClock
    let logger: Logger

    public init(
        backups: BackupService, settings: SettingsService, scheduler: CronScheduler, clock: WallClock = .system,
        logger: Logger
    ) {
        self.backups = backups
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger
    }

    /// Registers the job for the current settings and after each change of them.
    public func install() {
        apply(settings.snapshot)
        settings.onChange { [self] settings in apply(settings) }
    }

    /// One run: a backup, then the old automatic ones beyond `cronMaxKeep` go.
    public func run() async throws {
        let maxKeep = Int(saturating: settings.snapshot["backups"]?["cronMaxKeep"]?.doubleValue ?? 0)
        let key = try await backups.createAutomatic(maxKeep: maxKeep, now: clock.now)
        logger.info("automatic backup written", metadata: ["sb.backup": "\(key)"])
    }

    /// Registers, keeps or removes the job for `settings`. An unchanged schedule is left alone, so a run
    /// going keeps its no-overlap guard.
    func apply(_ settings: JSONValue) {
        let cron = settings["backups"]?["cron"]?.stringValue ?? ""
        guard !cron.isEmpty else {
            scheduler.remove(id: Self.id)
            return
        }
        do {
            let schedule = try CronSchedule(parsing: cron)
            if scheduler.schedule(of: Self.id) == schedule { return }
            scheduler.register(id: Self.id, schedule: schedule) { [self] in try await run() }
        } catch {
            // The settings validator refuses such a value; one stored by an older version is ignored.
            scheduler.remove(id: Self.id)
            logger.error("backups.cron is not a valid cron expression", metadata: ["sb.error": "\(error)"])
        }
    }
}
