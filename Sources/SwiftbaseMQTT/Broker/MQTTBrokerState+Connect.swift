import Foundation
import SwiftbaseCore

extension MQTTBrokerState {
    /// Accepts a CONNECT whose identity was already checked: takes over an older connection with the same client
    /// identifier, starts or resumes its session, answers CONNACK, then resends what was in flight (PUBLISH with
    /// DUP, or PUBREL) and sends what was queued. Refuses (CONNACK failure, then close) a 3.1.1 client with an
    /// empty identifier and no clean session, and an MQTT 5 client asking for enhanced authentication.
    mutating func connect(
        _ packet: MQTTConnect, identity: AuthContext, link: any MQTTClientLink, now: ContinuousClock.Instant
    ) -> MQTTConnectionID? {
        let v5 = packet.version == .v5
        func refuse(_ reason: MQTTReasonCode) -> MQTTConnectionID? {
            let code = v5 ? reason : reason.v3ConnectReturnCode
            effects.append(.send(link, .connack(MQTTConnAck(sessionPresent: false, reasonCode: code)), qos0: false))
            effects.append(.close(link))
            return nil
        }
        if v5, packet.properties.authenticationMethod != nil { return refuse(.badAuthenticationMethod) }
        var clientID = packet.clientID
        var properties = MQTTProperties()
        if clientID.isEmpty {
            guard packet.cleanStart || v5 else { return refuse(.clientIdentifierNotValid) }
            clientID = "auto-" + UUID().uuidString.lowercased()
            if v5 { properties.append(.assignedClientIdentifier(clientID)) }
        }
        // An older connection of this client is taken over: closed as if it dropped (its will may follow).
        if let old = sessions[clientID]?.connection, let oldConnection = connections[old] {
            disconnect(oldConnection, reason: .sessionTakenOver)
            endConnection(old, publishWill: true, now: now)
        }
        pendingWills[clientID] = nil
        let expiry = v5 ? (packet.properties.sessionExpiryInterval ?? 0) : (packet.cleanStart ? 0 : UInt32.max)
        var sessionPresent = false
        if packet.cleanStart || sessions[clientID] == nil {
            if sessions[clientID] != nil { removeSession(clientID) }
            sessions[clientID] = MQTTSession(clientID: clientID, expiryInterval: expiry)
        } else {
            sessionPresent = true
        }
        let id = MQTTConnectionID(rawValue: nextConnectionID)
        nextConnectionID += 1
        sessionChanged(clientID)
        sessions[clientID]?.connection = id
        sessions[clientID]?.identity = identity
        sessions[clientID]?.expiresAt = nil
        sessions[clientID]?.expiryInterval = expiry
        var keepAlive = packet.keepAlive
        if v5, let maximum = configuration.maximumKeepAlive, keepAlive == 0 || keepAlive > maximum {
            keepAlive = maximum
            properties.append(.serverKeepAlive(maximum))
        }
        let connection = Connection(
            id: id, clientID: clientID, version: packet.version, link: link, identity: identity, keepAlive: keepAlive,
            lastSeen: now, receiveMaximum: Int(packet.properties.receiveMaximum ?? UInt16.max),
            maximumPacketSize: packet.properties.maximumPacketSize.map { Int($0) }, will: packet.will,
            connectSessionExpiry: expiry)
        connections[id] = connection
        if v5 {
            properties.append(.receiveMaximum(configuration.receiveMaximum))
            properties.append(.topicAliasMaximum(configuration.topicAliasMaximum))
            if configuration.maximumPacketSize < MQTTPacketDecoder.maximumRemainingLength + 5 {
                properties.append(.maximumPacketSize(UInt32(configuration.maximumPacketSize)))
            }
        }
        send(.connack(MQTTConnAck(sessionPresent: sessionPresent, reasonCode: .success, properties: properties)),
            to: connection)
        if sessionPresent { resendInflight(of: clientID, on: connection) }
        drainQueue(of: clientID, now: now)
        return id
    }

    /// On a resumed session: unacknowledged PUBLISH packets again with DUP set, PUBREL for those already received.
    private mutating func resendInflight(of clientID: String, on connection: Connection) {
        guard var session = sessions[clientID] else { return }
        for packetID in session.inflightOrder {
            guard var entry = session.inflight[packetID] else { continue }
            if entry.released {
                send(.pubrel(MQTTAck(packetID: packetID)), to: connection)
            } else {
                entry.publish.dup = true
                session.inflight[packetID] = entry
                statistics.messagesOut[Int(entry.publish.qos.rawValue)] += 1
                effects.append(.send(connection.link, .publish(entry.publish), qos0: false))
            }
        }
        sessions[clientID] = session
    }

    /// Forgets connection `id`: publishes its will (at once, or after its delay) when `publishWill`, and lets its
    /// session expire (at once when its expiry interval is 0).
    mutating func endConnection(_ id: MQTTConnectionID, publishWill shouldPublishWill: Bool, now: ContinuousClock.Instant) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        let clientID = connection.clientID
        guard var session = sessions[clientID], session.connection == id else { return }
        sessionChanged(clientID)
        session.connection = nil
        let expiry = session.expiryInterval
        if expiry != UInt32.max { session.expiresAt = now + .seconds(Int64(expiry)) }
        sessions[clientID] = session
        if shouldPublishWill, let will = connection.will {
            let delay = min(will.properties.willDelayInterval ?? 0, expiry)
            if delay == 0 {
                publishWill(will, from: clientID, now: now)
            } else {
                pendingWills[clientID] = PendingWill(will: will, publishAt: now + .seconds(Int64(delay)))
            }
        }
        if expiry == 0 { removeSession(clientID) }
    }

    mutating func publishWill(_ will: MQTTWill, from clientID: String, now: ContinuousClock.Instant) {
        let message = MQTTApplicationMessage(
            topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain, properties: will.properties,
            publisherClientID: clientID, now: now)
        route(message, now: now)
    }

    /// Drops a session and its subscriptions.
    mutating func removeSession(_ clientID: String) {
        guard let session = sessions.removeValue(forKey: clientID) else { return }
        sessionChanged(clientID)
        for filter in session.subscriptions.keys { trie.remove(clientID: clientID, filter: filter) }
    }
}
