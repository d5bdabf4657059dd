import DequeModule
import NIOCore

extension MQTTBrokerState {
    /// Hands `message` to every matching subscription: each plain subscriber once (at the highest QoS of its
    /// matching filters, with all their subscription identifiers), and one member per shared group, in turn.
    /// Stores or clears the retained copy first when the message is retained. Returns how many sessions got it.
    /// `only`: deliver to these clients alone, and to no shared group (the record bridge's per-identity copies).
    @discardableResult
    mutating func route(
        _ message: MQTTApplicationMessage, now: ContinuousClock.Instant, only: Set<String>? = nil
    ) -> Int {
        if message.retain { retain(message) }
        let found = trie.matches(message.topic)
        // The common case, one matching subscription and no group: no per-client table to build.
        if found.subscribers.count <= 1, found.shared.isEmpty {
            guard let (clientID, entry) = found.subscribers.first else { return 0 }
            if let only, !only.contains(clientID) { return 0 }
            if entry.options.noLocal && clientID == message.publisherClientID { return 0 }
            deliver(
                message, to: clientID, qos: min(entry.options.qos, message.qos),
                retain: entry.options.retainAsPublished && message.retain,
                subscriptionIdentifiers: entry.identifier.map { [$0] } ?? [], now: now)
            return 1
        }
        // One delivery per client: highest QoS, every identifier, retain-as-published if any filter asks.
        var perClient: [String: (qos: MQTTQoS, ids: [UInt32], keepRetain: Bool)] = [:]
        var order: [String] = []
        for (clientID, entry) in found.subscribers {
            if let only, !only.contains(clientID) { continue }
            if entry.options.noLocal && clientID == message.publisherClientID { continue }
            let qos = min(entry.options.qos, message.qos)
            if var existing = perClient[clientID] {
                existing.qos = max(existing.qos, qos)
                if let id = entry.identifier { existing.ids.append(id) }
                existing.keepRetain = existing.keepRetain || entry.options.retainAsPublished
                perClient[clientID] = existing
            } else {
                perClient[clientID] = (qos, entry.identifier.map { [$0] } ?? [], entry.options.retainAsPublished)
                order.append(clientID)
            }
        }
        var delivered = 0
        for clientID in order {
            guard let d = perClient[clientID] else { continue }
            deliver(
                message, to: clientID, qos: d.qos, retain: d.keepRetain && message.retain, subscriptionIdentifiers: d.ids,
                now: now)
            delivered += 1
        }
        for group in found.shared where only == nil {
            guard let (clientID, entry) = pickMember(of: group) else { continue }
            deliver(
                message, to: clientID, qos: min(entry.options.qos, message.qos),
                retain: entry.options.retainAsPublished && message.retain,
                subscriptionIdentifiers: entry.identifier.map { [$0] } ?? [], now: now)
            delivered += 1
        }
        return delivered
    }

    /// The next member of a shared group in round-robin order, preferring one that is connected.
    private mutating func pickMember(of group: MQTTSubscriptionTrie.SharedMatch) -> (String, MQTTSubscriptionTrie.Entry)? {
        guard !group.members.isEmpty else { return nil }
        let start = shareCursors[group.key, default: 0]
        let n = group.members.count
        for step in 0..<n {
            let index = (start + step) % n
            let member = group.members[index]
            if sessions[member.clientID]?.connection != nil {
                shareCursors[group.key] = (index + 1) % n
                return member
            }
        }
        let member = group.members[start % n]
        shareCursors[group.key] = (start + 1) % n
        return member
    }

    private mutating func retain(_ message: MQTTApplicationMessage) {
        retainedChanged(message.topic)
        if message.payload.isEmpty {
            retained[message.topic] = nil
        } else if retained[message.topic] != nil || retained.count < configuration.maximumRetained {
            retained[message.topic] = message
        } else {
            statistics.dropped += 1
        }
    }

    /// Gives one message to one session: sent now when its client is connected and (QoS 1/2) the in-flight window
    /// has room, queued while it is offline or busy (QoS 1/2 only), dropped and counted otherwise.
    mutating func deliver(
        _ message: MQTTApplicationMessage, to clientID: String, qos: MQTTQoS, retain: Bool,
        subscriptionIdentifiers: [UInt32], now: ContinuousClock.Instant
    ) {
        if qos == .atMostOnce {
            // Nothing of the session changes: read, not taken out and put back.
            guard let session = sessions[clientID] else { return }
            guard let connection = session.connection.flatMap({ connections[$0] }) else {
                statistics.dropped += 1
                return
            }
            let publish = message.publish(
                qos: .atMostOnce, retain: retain, subscriptionIdentifiers: subscriptionIdentifiers, now: now)
            sendPublish(publish, to: connection)
            return
        }
        // Taken out of the dictionary while it changes: a copy would share the queue's storage with the
        // dictionary's, and the first append would then copy the whole queue — once per message.
        guard var session = sessions.removeValue(forKey: clientID) else { return }
        defer { sessions[clientID] = session }
        let connection = session.connection.flatMap { connections[$0] }
        sessionChanged(clientID)
        if let connection, session.inflight.count < window(for: connection), session.queue.isEmpty {
            start(message, qos: qos, retain: retain, ids: subscriptionIdentifiers, in: &session, on: connection, now: now)
            return
        }
        guard session.queue.count < configuration.maximumQueued else {
            statistics.dropped += 1
            return
        }
        session.queue.append(
            MQTTSession.Queued(message: message, qos: qos, retain: retain, subscriptionIdentifiers: subscriptionIdentifiers))
        if let connection {
            effects.append(.sessionQueue(connection.link, session.queue.count))
        }
    }

    /// Sends queued messages while the in-flight window has room, skipping expired ones.
    mutating func drainQueue(of clientID: String, now: ContinuousClock.Instant) {
        guard let id = sessions[clientID]?.connection, let connection = connections[id],
            var session = sessions.removeValue(forKey: clientID)
        else { return }
        defer { sessions[clientID] = session }
        let queued = session.queue.count
        defer {
            if session.queue.count != queued { effects.append(.sessionQueue(connection.link, session.queue.count)) }
        }
        while !session.queue.isEmpty, session.inflight.count < window(for: connection) {
            let next = session.queue.removeFirst()
            if next.message.isExpired(at: now) {
                statistics.dropped += 1
                continue
            }
            start(
                next.message, qos: next.qos, retain: next.retain, ids: next.subscriptionIdentifiers, in: &session,
                on: connection, now: now)
        }
    }

    /// Puts a QoS 1/2 message in flight under a new packet identifier and sends it.
    private mutating func start(
        _ message: MQTTApplicationMessage, qos: MQTTQoS, retain: Bool, ids: [UInt32], in session: inout MQTTSession,
        on connection: Connection, now: ContinuousClock.Instant
    ) {
        var publish = message.publish(qos: qos, retain: retain, subscriptionIdentifiers: ids, now: now)
        guard fits(publish, connection) else {
            statistics.dropped += 1
            return
        }
        let packetID = session.takePacketID()
        publish.packetID = packetID
        session.inflight[packetID] = MQTTSession.Inflight(publish: publish, released: false)
        session.inflightOrder.append(packetID)
        sendPublish(publish, to: connection)
    }

    mutating func sendPublish(_ publish: MQTTPublish, to connection: Connection) {
        guard fits(publish, connection) else {
            statistics.dropped += 1
            return
        }
        statistics.messagesOut[Int(publish.qos.rawValue)] += 1
        effects.append(.send(connection.link, .publish(publish), qos0: publish.qos == .atMostOnce))
    }

    /// Whether the PUBLISH is within the client's Maximum Packet Size (a larger one is not sent, §3.1.2.11.4).
    private func fits(_ publish: MQTTPublish, _ connection: Connection) -> Bool {
        guard let limit = connection.maximumPacketSize else { return true }
        guard let bytes = try? MQTTPacket.publish(publish).encoded(version: connection.version) else { return false }
        return bytes.count <= limit
    }

    /// QoS 1/2 messages one client may have unacknowledged.
    func window(for connection: Connection) -> Int {
        max(1, min(configuration.maximumInflight, connection.receiveMaximum, 65_000))
    }
}
