import DequeModule
import NIOCore
import SwiftbaseCore

/// One session as `GET /api/mqtt/clients` lists it.
public struct MQTTClientInfo: Sendable, Hashable {
    public var clientID: String
    public var connected: Bool
    /// The version of the connection, nil while the session waits offline.
    public var version: MQTTProtocolVersion?
    /// Who the connection logged in as (`guest`, `users:ID`, `apikey:ID`…), as the audit log names actors.
    public var identity: String?
    public var keepAlive: UInt16?
    public var subscriptions: [String]
    public var inflight: Int
    public var queued: Int
    /// Seconds the session outlives its connection (`UInt32.max`: never).
    public var sessionExpiryInterval: UInt32
}

extension MQTTBrokerState {
    func clients() -> [MQTTClientInfo] {
        sessions.values.map { session in
            let connection = session.connection.flatMap { connections[$0] }
            return MQTTClientInfo(
                clientID: session.clientID, connected: connection != nil, version: connection?.version,
                identity: connection?.identity.auditActor, keepAlive: connection?.keepAlive,
                subscriptions: session.subscriptions.keys.sorted(), inflight: session.inflight.count,
                queued: session.queue.count, sessionExpiryInterval: session.expiryInterval)
        }.sorted { $0.clientID < $1.clientID }
    }

    /// Closes `clientID`'s connection as an administrator's action (MQTT 5: 0x98); its will is published and its
    /// session kept for its expiry. False when it is not connected.
    mutating func disconnect(clientID: String, now: ContinuousClock.Instant) -> Bool {
        guard let id = sessions[clientID]?.connection, let connection = connections[id] else { return false }
        disconnect(connection, reason: .administrativeAction)
        endConnection(id, publishWill: true, now: now)
        return true
    }

    /// Ends `clientID`'s session as an administrator's action, as its expiry would: a connection it has is closed
    /// first (MQTT 5: 0x98, its will published), then its subscriptions and queued messages go, and a will still
    /// waiting out its delay is published now (MQTT 5 §3.1.3.2.2: the session ended). A persistent session is
    /// deleted from the store with the next save. False when there is no such session.
    mutating func discardSession(clientID: String, now: ContinuousClock.Instant) -> Bool {
        guard sessions[clientID] != nil else { return false }
        _ = disconnect(clientID: clientID, now: now)
        if let pending = pendingWills.removeValue(forKey: clientID) {
            publishWill(pending.will, from: clientID, now: now)
        }
        removeSession(clientID)
        return true
    }
}
