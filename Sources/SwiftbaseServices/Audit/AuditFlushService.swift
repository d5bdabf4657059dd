public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Stores queued audit events every `interval`, and once more at graceful shutdown so nothing recorded before
/// SIGTERM is lost.
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

    private func flush() async {
        do {
            try await audit.flush()
        } catch {
            logger.error("failed to store audit events", metadata: ["sb.error": "\(error)"])
        }
    }
}
