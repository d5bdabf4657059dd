import DequeModule
import SwiftbaseCore

/// What the broker keeps for one client identifier between connections: subscriptions, QoS 1/2 messages in
/// flight to it or queued for it, and the QoS 2 packet identifiers it sent and has not released.
struct MQTTSession {
    /// A QoS 1 or 2 PUBLISH sent and not yet fully acknowledged.
    struct Inflight {
        var publish: MQTTPublish
        /// QoS 2 after PUBREC: PUBREL was sent, PUBCOMP is awaited.
        var released: Bool
    }

    /// A message waiting for room in the in-flight window or for the client to come back.
    struct Queued {
        var message: MQTTApplicationMessage
        var qos: MQTTQoS
        var retain: Bool
        var subscriptionIdentifiers: [UInt32]
    }

    let clientID: String
    /// Full filter (`$share/…` included) → subscription.
    var subscriptions: [String: MQTTSubscriptionTrie.Entry] = [:]
    /// Seconds the session outlives its connection: 0 ends it with the connection, `UInt32.max` never.
    var expiryInterval: UInt32
    /// Set while no connection holds the session and it will expire.
    var expiresAt: ContinuousClock.Instant?
    var connection: MQTTConnectionID?
    /// Who the session's last connection logged in as (the record bridge judges offline sessions by it); nil for a
    /// session restored after a restart until its client connects again.
    var identity: AuthContext?
    private var nextPacketID: UInt16 = 1
    var inflight: [UInt16: Inflight] = [:]
    /// In-flight identifiers in the order their messages were first sent (resent in that order).
    var inflightOrder: [UInt16] = []
    /// A ring: the front is taken on every acknowledgement, which for an array would move the whole queue each
    /// time. A `Deque`, which allocates nothing while empty — NIO's `CircularBuffer` reserves 16 messages (~1.7
    /// KiB) up front, for every connected client, most of which never have anything queued.
    var queue = Deque<Queued>()
    /// QoS 2 messages received from the client (already delivered) whose PUBREL has not arrived.
    var unreleased: Set<UInt16> = []

    init(clientID: String, expiryInterval: UInt32) {
        self.clientID = clientID
        self.expiryInterval = expiryInterval
    }

    /// A packet identifier not in use by an in-flight message.
    mutating func takePacketID() -> UInt16 {
        while inflight[nextPacketID] != nil { advance() }
        defer { advance() }
        return nextPacketID
    }

    private mutating func advance() {
        nextPacketID = nextPacketID == UInt16.max ? 1 : nextPacketID + 1
    }

    mutating func removeInflight(_ id: UInt16) {
        inflight[id] = nil
        inflightOrder.removeAll { $0 == id }
    }
}
