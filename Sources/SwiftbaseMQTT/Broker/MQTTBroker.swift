public import Foundation
public import SwiftbaseCore
import Synchronization

/// The MQTT broker's engine: sessions, subscriptions, retained messages, wills and the QoS 1/2 flows, for MQTT
/// 3.1.1 and 5.0 clients. No I/O: a transport decodes packets and calls in with the time; the broker answers
/// through each client's `MQTTClientLink`. So it is tested packet by packet with a manual clock.
///
/// ```swift
/// let broker = MQTTBroker()
/// let id = broker.connect(connect, identity: identity, link: link, now: .now)   // nil: refused, link closed
/// broker.receive(.publish(p), on: id!, now: .now)
/// broker.tick(now: .now)          // once a second: keep-alive, will delay, session expiry
/// broker.connectionClosed(id!, now: .now)
/// ```
///
/// Thread-safe: one lock around the state, held only for the state change; links are called after it is
/// released.
public final class MQTTBroker: Sendable {
    private let state: Mutex<MQTTBrokerState>
    private let droppedBySlowClients = Atomic<Int>(0)
    /// Held in a struct: a bare optional closure in a `Mutex` is re-abstracted on every `withLock`, and the
    /// thunks it was wrapped in stayed in the lock — one more pair per publish until the stack overflowed.
    private let publishObserver = Mutex<PublishObserver?>(nil)

    public init(configuration: MQTTBrokerConfiguration = MQTTBrokerConfiguration()) {
        state = Mutex(MQTTBrokerState(configuration: configuration))
    }

    /// The limits in force (`setMaximumKeepAlive` changes one while clients are connected).
    public var configuration: MQTTBrokerConfiguration { state.withLock { $0.configuration } }

    /// The longest keep-alive an MQTT 5 client may use from its next CONNECT on (`mqtt.maxKeepAlive`; nil: what
    /// the client asks). Connected clients keep the one they were given.
    public func setMaximumKeepAlive(_ seconds: UInt16?) {
        state.withLock { $0.configuration.maximumKeepAlive = seconds }
    }

    /// The topic aliases a transport's link uses towards the client of `connect`: nil for MQTT 3.1.1 and for a
    /// client whose CONNECT allows none.
    func outboundTopicAliases(for connect: MQTTConnect) -> MQTTOutboundTopicAliases? {
        guard connect.version == .v5 else { return nil }
        return MQTTOutboundTopicAliases(
            clientMaximum: connect.properties.topicAliasMaximum, limit: configuration.outboundTopicAliasMaximum,
            maximumPacketSize: connect.properties.maximumPacketSize)
    }

    /// Accepts an authenticated CONNECT (CONNACK sent through `link`); nil when it is refused (CONNACK failure
    /// sent and `link` closed).
    public func connect(
        _ packet: MQTTConnect, identity: AuthContext, link: any MQTTClientLink, now: ContinuousClock.Instant
    ) -> MQTTConnectionID? {
        apply { $0.connect(packet, identity: identity, link: link, now: now) }
    }

    /// Handles a packet of an accepted connection, as far as `verdict` (the access control's answer for it)
    /// allows: a denied PUBLISH is not routed, denied filters of a SUBSCRIBE are refused in SUBACK.
    ///
    /// Answers the links of clients this packet's deliveries found congested (`MQTTSendResult.congested`): the
    /// transport may hold back reading this connection until one of them is relieved.
    @discardableResult
    public func receive(
        _ packet: MQTTPacket, on connection: MQTTConnectionID, now: ContinuousClock.Instant,
        verdict: MQTTAccessVerdict = .allowed
    ) -> [any MQTTClientLink] {
        perform { $0.receive(packet, on: connection, now: now, verdict: verdict) }.congested
    }

    /// The connection sent bytes that are not MQTT: it is closed (MQTT 5: DISCONNECT with the error's reason code
    /// first) and its will is published.
    public func protocolError(
        _ error: MQTTProtocolError, on connection: MQTTConnectionID, now: ContinuousClock.Instant
    ) {
        apply { $0.protocolViolation(on: connection, reason: error.reasonCode, now: now) }
    }

    /// The network connection ended without DISCONNECT: the will is published (after its delay).
    public func connectionClosed(_ connection: MQTTConnectionID, now: ContinuousClock.Instant) {
        apply { $0.endConnection(connection, publishWill: true, now: now) }
    }

    /// Keep-alive, will delays, session and retained-message expiry; call about once a second.
    public func tick(now: ContinuousClock.Instant) {
        apply { $0.tick(now: now) }
    }

    /// Closes every connection (MQTT 5 clients hear "server shutting down").
    public func shutdown(now: ContinuousClock.Instant) {
        apply { $0.shutdown(now: now) }
    }

    /// Every session, connected or waiting, by client identifier.
    public func clients() -> [MQTTClientInfo] {
        state.withLock { $0.clients() }
    }

    /// Disconnects a client as an administrator (MQTT 5: reason 0x98); false when it is not connected.
    public func disconnect(clientID: String, now: ContinuousClock.Instant) -> Bool {
        apply { $0.disconnect(clientID: clientID, now: now) }
    }

    /// Ends a client's session as an administrator (see `MQTTBrokerState.discardSession`), connected or waiting
    /// offline; false when there is none.
    public func discardSession(clientID: String, now: ContinuousClock.Instant) -> Bool {
        apply { $0.discardSession(clientID: clientID, now: now) }
    }

    public var statistics: MQTTBrokerStatistics {
        var s = state.withLock { state in
            var s = state.statistics
            s.connectedClients = state.connections.count
            s.sessions = state.sessions.count
            s.subscriptions = state.trie.count
            s.retainedMessages = state.retained.count
            return s
        }
        s.dropped += droppedBySlowClients.load(ordering: .relaxed)
        return s
    }

    /// Calls `observer` (outside the broker's lock) with every client PUBLISH the access control allowed — topic,
    /// payload and the publisher's identity — once per message (a QoS 2 resend is not told again). For ingest.
    public func onClientPublish(_ observer: @escaping @Sendable (String, [UInt8], AuthContext) -> Void) {
        publishObserver.withLock { $0 = PublishObserver(call: observer) }
        state.withLock { $0.observesPublishes = true }
    }

    /// The sessions with a plain subscription matching `topic` — connected, or offline since a connection of this
    /// run — and who their client last logged in as.
    public func subscribers(of topic: String) -> [(clientID: String, identity: AuthContext)] {
        state.withLock { state in
            var seen = Set<String>()
            return state.trie.matches(topic).subscribers.compactMap { match in
                guard seen.insert(match.clientID).inserted, let identity = state.sessions[match.clientID]?.identity
                else { return nil }
                return (match.clientID, identity)
            }
        }
    }

    /// Publishes a message from the server itself (not retained, no publisher) to `clientIDs` alone, at most at
    /// `qos`, each at the QoS of its subscription (queued for offline persistent sessions at QoS 1/2).
    public func publish(
        topic: String, payload: [UInt8], qos: MQTTQoS, properties: MQTTProperties = [], to clientIDs: Set<String>,
        now: ContinuousClock.Instant
    ) {
        let message = MQTTApplicationMessage(
            topic: topic, payload: payload, qos: qos, retain: false, properties: properties, publisherClientID: nil,
            now: now)
        _ = apply { $0.route(message, now: now, only: clientIDs) }
    }

    /// Loads what a state store kept from a previous run (before clients connect) and starts noting changes for
    /// `takeChanges`. Returns how many sessions and retained messages came back.
    @discardableResult
    public func restore(_ stored: MQTTStoredState, now: ContinuousClock.Instant, wallNow: Date = Date()) -> (
        sessions: Int, retained: Int
    ) {
        state.withLock { $0.restore(stored, clocks: MQTTStateCodec.Clocks(now: now, wallNow: wallNow)) }
    }

    /// Persistent sessions and retained messages changed since the last call, encoded for the state store.
    public func takeChanges(now: ContinuousClock.Instant, wallNow: Date = Date()) -> MQTTStoredState.Changes {
        state.withLock { $0.takeChanges(clocks: MQTTStateCodec.Clocks(now: now, wallNow: wallNow)) }
    }

    /// Changes the store could not take: they are taken again next time (with the state of then).
    public func retryChanges(_ changes: MQTTStoredState.Changes) {
        state.withLock { $0.retryChanges(changes) }
    }

    /// The CONNACK that refuses a client before it reaches the broker (bad credentials, not authorized), in its
    /// version's terms.
    public static func refusal(_ reason: MQTTReasonCode, version: MQTTProtocolVersion) -> MQTTPacket {
        .connack(
            MQTTConnAck(sessionPresent: false, reasonCode: version == .v5 ? reason : reason.v3ConnectReturnCode))
    }

    /// Runs a state change, then carries out what it asked for, outside the lock.
    private func apply<T: Sendable>(_ change: @Sendable (inout MQTTBrokerState) -> T) -> T {
        perform(change).result
    }

    /// `apply`, also answering the links that said they are congested while the effects were carried out.
    private func perform<T: Sendable>(
        _ change: @Sendable (inout MQTTBrokerState) -> T
    ) -> (result: T, congested: [any MQTTClientLink]) {
        let (result, effects) = state.withLock { state in
            let result = change(&state)
            let effects = state.effects
            state.effects = []
            return (result, effects)
        }
        var congested: [any MQTTClientLink] = []
        func note(_ link: any MQTTClientLink) {
            if !congested.contains(where: { $0 === link }) { congested.append(link) }
        }
        for effect in effects {
            switch effect {
            case .send(let link, let packet, let qos0):
                switch link.send(packet, droppable: qos0) {
                case .queued: break
                case .congested: note(link)
                case .dropped: droppedBySlowClients.add(1, ordering: .relaxed)
                }
            case .sessionQueue(let link, let count):
                if link.sessionQueueChanged(count) { note(link) }
            case .close(let link):
                link.close()
            case .published(let topic, let payload, let identity):
                publishObserver.withLock { $0 }?.call(topic, payload, identity)
            }
        }
        return (result, congested)
    }
}

/// The ingest observer of client publishes, boxed so that taking it out of its lock does not re-wrap it.
private struct PublishObserver: Sendable {
    let call: @Sendable (String, [UInt8], AuthContext) -> Void
}
