public import Logging
public import SwiftbaseCore

/// Keeps a broker's persistent sessions and retained messages in an `MQTTStateStore`, write-behind: restored once
/// before the listener opens, then what changed is written once a second (by the server's clock) and once more
/// after a graceful shutdown closed every connection. So a SIGTERM loses nothing, and a crash (kill -9) loses at
/// most the last second of changes — messages acknowledged to a publisher in that second included.
public struct MQTTStatePersistence: Sendable {
    let store: any MQTTStateStore
    let logger: Logger

    public init(store: any MQTTStateStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func restore(into broker: MQTTBroker) async throws {
        let stored = try await store.load()
        let counts = broker.restore(stored, now: .now)
        logger.info(
            "MQTT state restored",
            metadata: ["sb.mqtt.sessions": "\(counts.sessions)", "sb.mqtt.retained": "\(counts.retained)"])
    }

    /// Writes what changed; on failure keeps it for the next flush.
    func flush(_ broker: MQTTBroker) async {
        let changes = broker.takeChanges(now: .now)
        guard !changes.isEmpty else { return }
        do {
            try await store.save(changes)
        } catch {
            broker.retryChanges(changes)
            logger.error("MQTT state not stored", metadata: ["sb.error": "\(error)"])
        }
    }
}
