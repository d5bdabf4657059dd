public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Stores queued audit events every `interval`, and once more at graceful shutdown so nothing recorded before
/// SIGTERM is lost. Requests store their own events before they answer (`AuditLog.waitUntilStored`); this
/// is the safety net for events no request waits for.
public struct AuditFlushService: Service {
    let audit: AuditLog
    let interval: Duration
    let logger: Logger

    public init(audit: AuditLog, interval: Duration = .seconds(1), logger: Logger) {
        self.audit = audit
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            await flush()
        }
        await flush()
    }

    /// A failed write is logged by the audit log itself; the events stay queued for the next round.
    private func flush() async {
        await audit.waitUntilStored()
    }
}
