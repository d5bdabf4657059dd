import SwiftbaseCore

/// Everything the broker knows, changed only inside `MQTTBroker`'s lock. Methods do not talk to clients: they
/// append `Effect`s, which the broker carries out after unlocking, so no transport code runs under the lock.
struct MQTTBrokerState {
    enum Effect {
        /// `qos0`: a QoS 0 PUBLISH, dropped (and counted) when the client's queue is full.
        case send(any MQTTClientLink, MQTTPacket, qos0: Bool)
        case close(any MQTTClientLink)
        /// The session of a connected client now queues this many QoS 1/2 messages beyond its in-flight window.
        case sessionQueue(any MQTTClientLink, Int)
        /// A client's PUBLISH was allowed and routed: told to the publish observer (ingest).
        case published(topic: String, payload: [UInt8], identity: AuthContext)
    }

    /// One live network connection, after its CONNECT was accepted.
    struct Connection {
        let id: MQTTConnectionID
        let clientID: String
        let version: MQTTProtocolVersion
        let link: any MQTTClientLink
        let identity: AuthContext
        /// Seconds; 0: no keep-alive.
        var keepAlive: UInt16
        var lastSeen: ContinuousClock.Instant
        /// The client's Receive Maximum (QoS 1/2 messages it accepts unacknowledged).
        var receiveMaximum: Int
        /// The client's Maximum Packet Size; nil: the protocol's limit.
        var maximumPacketSize: Int?
        /// Topic aliases the client set (alias → topic).
        var topicAliases: [UInt16: String] = [:]
        var will: MQTTWill?
        /// The Session Expiry Interval the CONNECT set (a DISCONNECT may not raise it from 0).
        var connectSessionExpiry: UInt32
    }

    /// A will waiting out its delay after its connection ended.
    struct PendingWill {
        var will: MQTTWill
        var publishAt: ContinuousClock.Instant
    }

    var configuration: MQTTBrokerConfiguration
    var connections: [MQTTConnectionID: Connection] = [:]
    var sessions: [String: MQTTSession] = [:]
    var trie = MQTTSubscriptionTrie()
    var retained: [String: MQTTApplicationMessage] = [:]
    var pendingWills: [String: PendingWill] = [:]
    /// Round-robin position per shared group and filter.
    var shareCursors: [String: Int] = [:]
    var nextConnectionID: UInt64 = 1
    var statistics = MQTTBrokerStatistics()
    var effects: [Effect] = []
    /// Whether changes are noted for a state store (see `MQTTBrokerState+Persistence`); off without one.
    var tracksChanges = false
    /// Whether routed client publishes are told to an observer (`Effect.published`).
    var observesPublishes = false
    var changedSessions: Set<String> = []
    var changedRetained: Set<String> = []

    init(configuration: MQTTBrokerConfiguration) {
        self.configuration = configuration
    }

    mutating func send(_ packet: MQTTPacket, to connection: Connection) {
        effects.append(.send(connection.link, packet, qos0: false))
    }

    /// Sends an MQTT 5 DISCONNECT with `reason` (3.1.1 has no server DISCONNECT) and closes.
    mutating func disconnect(_ connection: Connection, reason: MQTTReasonCode) {
        if connection.version == .v5 { send(.disconnect(MQTTDisconnect(reasonCode: reason)), to: connection) }
        effects.append(.close(connection.link))
    }
}

/// What the broker has done, for metrics and tests.
public struct MQTTBrokerStatistics: Sendable, Hashable {
    public var connectedClients = 0
    public var sessions = 0
    public var subscriptions = 0
    public var retainedMessages = 0
    /// PUBLISH packets received from clients, by QoS.
    public var messagesIn: [Int] = [0, 0, 0]
    /// PUBLISH packets handed to clients' links, by QoS (resends included).
    public var messagesOut: [Int] = [0, 0, 0]
    /// Messages not delivered: QoS 0 to a full or offline client, past a session's queue, too big for a client,
    /// expired before delivery.
    public var dropped = 0
    /// PUBLISH packets and subscription filters the access control refused.
    public var denied = 0
}
