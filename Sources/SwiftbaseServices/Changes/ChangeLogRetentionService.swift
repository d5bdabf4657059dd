public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Prunes the change log at start and then every `interval` (a minute by default), by the settings'
/// `changes.maxAgeDays` as they are at each pass.
public struct ChangeLogRetentionService: Service {
    let retention: ChangeLogRetention
    let settings: SettingsService
    let clock: WallClock
    let interval: Duration
    let logger: Logger

    public init(
        retention: ChangeLogRetention, settings: SettingsService, clock: WallClock = .system,
        interval: Duration = .seconds(60), logger: Logger
    ) {
        self.retention = retention
        self.settings = settings
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let pruned = try await retention.prune(maxAgeDays: settings.changesMaxAgeDays, now: clock.now)
                if pruned > 0 { logger.info("pruned the change log", metadata: ["sb.entries": "\(pruned)"]) }
            } catch {
                logger.error("pruning the change log failed", metadata: ["sb.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
