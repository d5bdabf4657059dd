extension MQTTBrokerState {
    /// Handles a packet from an accepted connection.
    mutating func receive(
        _ packet: MQTTPacket, on id: MQTTConnectionID, now: ContinuousClock.Instant,
        verdict: MQTTAccessVerdict = .allowed
    ) {
        // Changed in place: one lookup, and no copy of the connection written back.
        guard let index = connections.index(forKey: id) else { return }
        connections.values[index].lastSeen = now
        let connection = connections.values[index]
        // What can change a stored session: acknowledgements, (un)subscriptions, a QoS 2 identifier kept.
        switch packet {
        case .pingreq: break
        case .publish(let publish) where publish.qos != .exactlyOnce: break
        default: sessionChanged(connection.clientID)
        }
        switch packet {
        case .publish(let publish): receivePublish(publish, on: connection, allowed: verdict.publishAllowed, now: now)
        case .puback(let ack): acknowledge(ack.packetID, of: connection, now: now)
        case .pubrec(let ack): receivePubrec(ack, on: connection, now: now)
        case .pubrel(let ack):
            let known = sessions[connection.clientID]?.unreleased.remove(ack.packetID) != nil
            let reason: MQTTReasonCode = known || connection.version != .v5 ? .success : .packetIdentifierNotFound
            send(.pubcomp(MQTTAck(packetID: ack.packetID, reasonCode: reason)), to: connection)
        case .pubcomp(let ack): acknowledge(ack.packetID, of: connection, now: now)
        case .subscribe(let subscribe): receiveSubscribe(subscribe, on: connection, verdict: verdict, now: now)
        case .unsubscribe(let unsubscribe): receiveUnsubscribe(unsubscribe, on: connection)
        case .pingreq: send(.pingresp, to: connection)
        case .disconnect(let d): receiveDisconnect(d, on: connection, now: now)
        case .connect, .connack, .suback, .unsuback, .pingresp, .auth:
            // A second CONNECT, a packet only a server sends, or AUTH without an authentication method.
            protocolViolation(on: id, reason: .protocolError, now: now)
        }
    }

    /// Closes a connection that broke the protocol: MQTT 5 clients get a DISCONNECT with `reason`; the will is
    /// published.
    mutating func protocolViolation(on id: MQTTConnectionID, reason: MQTTReasonCode, now: ContinuousClock.Instant) {
        guard let connection = connections[id] else { return }
        disconnect(connection, reason: reason)
        endConnection(id, publishWill: true, now: now)
    }

    /// A PUBLISH the access control did not allow (`allowed` false) is not routed; MQTT 5 clients hear 0x87 in
    /// PUBACK / PUBREC, 3.1.1 clients are acknowledged as if it went through (the protocol has no way to say no),
    /// as Mosquitto does.
    private mutating func receivePublish(
        _ publish: MQTTPublish, on connection: Connection, allowed: Bool, now: ContinuousClock.Instant
    ) {
        var topic = publish.topic
        if let alias = publish.properties.topicAlias {
            guard connection.version == .v5, alias <= configuration.topicAliasMaximum else {
                return protocolViolation(on: connection.id, reason: .topicAliasInvalid, now: now)
            }
            if topic.isEmpty {
                guard let known = connection.topicAliases[alias] else {
                    return protocolViolation(on: connection.id, reason: .protocolError, now: now)
                }
                topic = known
            } else {
                connections[connection.id]?.topicAliases[alias] = topic
            }
        }
        statistics.messagesIn[Int(publish.qos.rawValue)] += 1
        if !allowed {
            statistics.denied += 1
            return refusePublish(publish, on: connection)
        }
        let message = MQTTApplicationMessage(
            topic: topic, payload: publish.payload, qos: publish.qos, retain: publish.retain,
            properties: publish.properties, publisherClientID: connection.clientID, now: now)
        if observesPublishes, publish.qos != .exactlyOnce || sessions[connection.clientID]?.unreleased.contains(publish.packetID ?? 0) != true {
            effects.append(.published(topic: topic, payload: publish.payload, identity: connection.identity))
        }
        switch publish.qos {
        case .atMostOnce:
            route(message, now: now)
        case .atLeastOnce:
            let delivered = route(message, now: now)
            send(.puback(ackFor(publish, delivered: delivered, connection)), to: connection)
        case .exactlyOnce:
            let packetID = publish.packetID ?? 0
            guard var session = sessions[connection.clientID] else { return }
            if !session.unreleased.contains(packetID) {
                guard session.unreleased.count < Int(configuration.receiveMaximum) else {
                    return protocolViolation(on: connection.id, reason: .receiveMaximumExceeded, now: now)
                }
                session.unreleased.insert(packetID)
                sessions[connection.clientID] = session
                let delivered = route(message, now: now)
                send(.pubrec(ackFor(publish, delivered: delivered, connection)), to: connection)
            } else {
                // A resend (DUP) of a message already delivered: acknowledge again, deliver nothing.
                send(.pubrec(MQTTAck(packetID: packetID)), to: connection)
            }
        }
    }

    private mutating func refusePublish(_ publish: MQTTPublish, on connection: Connection) {
        let packetID = publish.packetID ?? 0
        let v5 = connection.version == .v5
        switch publish.qos {
        case .atMostOnce:
            return
        case .atLeastOnce:
            send(.puback(MQTTAck(packetID: packetID, reasonCode: v5 ? .notAuthorized : .success)), to: connection)
        case .exactlyOnce:
            // 3.1.1: the QoS 2 flow runs to its end (PUBREL answered by PUBCOMP); MQTT 5 ends it with the failure.
            if !v5 { sessions[connection.clientID]?.unreleased.insert(packetID) }
            send(.pubrec(MQTTAck(packetID: packetID, reasonCode: v5 ? .notAuthorized : .success)), to: connection)
        }
    }

    /// PUBACK / PUBREC for a received message: MQTT 5 says "no matching subscribers" when nobody got it.
    private func ackFor(_ publish: MQTTPublish, delivered: Int, _ connection: Connection) -> MQTTAck {
        let reason: MQTTReasonCode = connection.version == .v5 && delivered == 0 ? .noMatchingSubscribers : .success
        return MQTTAck(packetID: publish.packetID ?? 0, reasonCode: reason)
    }

    /// PUBACK (QoS 1) or PUBCOMP (QoS 2) ends a message's flight; the queue moves up.
    private mutating func acknowledge(_ packetID: UInt16, of connection: Connection, now: ContinuousClock.Instant) {
        guard sessions[connection.clientID]?.inflight[packetID] != nil else { return }
        sessions[connection.clientID]?.removeInflight(packetID)
        drainQueue(of: connection.clientID, now: now)
    }

    private mutating func receivePubrec(_ ack: MQTTAck, on connection: Connection, now: ContinuousClock.Instant) {
        guard var entry = sessions[connection.clientID]?.inflight[ack.packetID] else {
            let reason: MQTTReasonCode = connection.version == .v5 ? .packetIdentifierNotFound : .success
            return send(.pubrel(MQTTAck(packetID: ack.packetID, reasonCode: reason)), to: connection)
        }
        if ack.reasonCode.isFailure {
            return acknowledge(ack.packetID, of: connection, now: now)
        }
        entry.released = true
        sessions[connection.clientID]?.inflight[ack.packetID] = entry
        send(.pubrel(MQTTAck(packetID: ack.packetID)), to: connection)
    }

    /// Filters `verdict` refuses are not subscribed: SUBACK says 0x87 (MQTT 5) or 0x80 (3.1.1) for them.
    private mutating func receiveSubscribe(
        _ subscribe: MQTTSubscribe, on connection: Connection, verdict: MQTTAccessVerdict, now: ContinuousClock.Instant
    ) {
        let identifier = subscribe.properties.subscriptionIdentifiers.first
        var codes: [MQTTReasonCode] = []
        var retainedToSend: [(MQTTSubscription, UInt32?)] = []
        for (index, subscription) in subscribe.subscriptions.enumerated() {
            guard verdict.allows(filterAt: index) else {
                statistics.denied += 1
                codes.append(connection.version == .v5 ? .notAuthorized : .unspecifiedError)
                continue
            }
            let entry = MQTTSubscriptionTrie.Entry(options: subscription, identifier: identifier)
            let isNew = trie.insert(clientID: connection.clientID, filter: subscription.filter, entry: entry)
            sessions[connection.clientID]?.subscriptions[subscription.filter] = entry
            codes.append(MQTTReasonCode(rawValue: subscription.qos.rawValue))
            let shared = MQTTTopic.SharedFilter(subscription.filter) != nil
            if !shared && (subscription.retainHandling == 0 || (subscription.retainHandling == 1 && isNew)) {
                retainedToSend.append((subscription, identifier))
            }
        }
        send(.suback(MQTTSubAck(packetID: subscribe.packetID, reasonCodes: codes)), to: connection)
        for (subscription, identifier) in retainedToSend {
            for (topic, message) in retained
            where MQTTTopic.matches(name: topic, filter: subscription.filter) {
                if message.isExpired(at: now) {
                    retained[topic] = nil
                    retainedChanged(topic)
                    continue
                }
                deliver(
                    message, to: connection.clientID, qos: min(message.qos, subscription.qos), retain: true,
                    subscriptionIdentifiers: identifier.map { [$0] } ?? [], now: now)
            }
        }
    }

    private mutating func receiveUnsubscribe(_ unsubscribe: MQTTUnsubscribe, on connection: Connection) {
        var codes: [MQTTReasonCode] = []
        for filter in unsubscribe.filters {
            let existed = trie.remove(clientID: connection.clientID, filter: filter)
            sessions[connection.clientID]?.subscriptions[filter] = nil
            codes.append(existed ? .success : .noSubscriptionExisted)
        }
        let v5 = connection.version == .v5
        send(.unsuback(MQTTUnsubAck(packetID: unsubscribe.packetID, reasonCodes: v5 ? codes : [])), to: connection)
    }

    /// A client's DISCONNECT: the will is discarded (published for MQTT 5 reason 0x04), and an MQTT 5 client may
    /// change its session's expiry — but not from 0, which is a protocol error (§3.14.2.2.2).
    private mutating func receiveDisconnect(
        _ d: MQTTDisconnect, on connection: Connection, now: ContinuousClock.Instant
    ) {
        if let expiry = d.properties.sessionExpiryInterval {
            if connection.connectSessionExpiry == 0 && expiry != 0 {
                return protocolViolation(on: connection.id, reason: .protocolError, now: now)
            }
            sessions[connection.clientID]?.expiryInterval = expiry
        }
        effects.append(.close(connection.link))
        endConnection(connection.id, publishWill: d.reasonCode == .disconnectWithWillMessage, now: now)
    }
}
