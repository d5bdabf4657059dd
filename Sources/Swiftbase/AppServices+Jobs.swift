import Logging
import SwiftbaseCore
import SwiftbaseServices

extension AppServices {
    /// The scheduler's system jobs, as PocketBase has them where Swiftbase has the thing they clean:
    /// automatic backups (`__pbAutoBackup__`, while `backups.cron` is set), expired one-time passwords and
    /// MFA sessions (`__pbOTPCleanup__`, `__pbMFACleanup__`, hourly), and change-log retention
    /// (`__sbChangesRetention__`, every minute), time-series retention (`__sbTimeSeriesRetention__`, every minute), and request logs older than `logs.maxDays` (`__pbLogsCleanup__`,
    /// every 6 hours as in PocketBase 0.40).
    func registerSystemJobs(clock: WallClock, logger: Logger) throws {
        ChangeLogRetentionJob(
            retention: ChangeLogRetention(store: store), settings: settings, clock: clock, logger: logger
        ).register(on: scheduler)
        TimeSeriesRetentionJob(
            retention: TimeSeriesRetention(store: store, registry: schema), clock: clock, logger: logger
        ).register(on: scheduler)
        AutoBackupJob(backups: backups, settings: settings, scheduler: scheduler, clock: clock, logger: logger)
            .install()
        let accounts = self.accounts
        try scheduler.register(id: "__pbOTPCleanup__", expression: "0 * * * *") {
            try await accounts.deleteExpiredOTPs()
        }
        try scheduler.register(id: "__pbMFACleanup__", expression: "0 * * * *") {
            try await accounts.deleteExpiredMFAs()
        }
        let logs = self.logs
        try scheduler.register(id: "__pbLogsCleanup__", expression: "0 */6 * * *") {
            let deleted = try await logs.prune(now: clock.now)
            if deleted > 0 { logger.info("deleted old request logs", metadata: ["sb.count": "\(deleted)"]) }
        }
    }
}
