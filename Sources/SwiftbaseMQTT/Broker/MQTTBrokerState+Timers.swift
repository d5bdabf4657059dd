extension MQTTBrokerState {
    /// What time passing does: connections silent for 1.5 × their keep-alive are closed (MQTT 5: reason 0x8D) and
    /// their wills published; delayed wills come due; sessions past their expiry end; expired retained messages
    /// go.
    mutating func tick(now: ContinuousClock.Instant) {
        for (id, connection) in connections where connection.keepAlive > 0 {
            if now - connection.lastSeen > .seconds(Int64(connection.keepAlive)) * 1.5 {
                disconnect(connection, reason: .keepAliveTimeout)
                endConnection(id, publishWill: true, now: now)
            }
        }
        for (clientID, pending) in pendingWills where pending.publishAt <= now {
            pendingWills[clientID] = nil
            publishWill(pending.will, from: clientID, now: now)
        }
        for (clientID, session) in sessions where session.connection == nil {
            if let expiresAt = session.expiresAt, expiresAt <= now {
                if let pending = pendingWills.removeValue(forKey: clientID) {
                    publishWill(pending.will, from: clientID, now: now)
                }
                removeSession(clientID)
            }
        }
        for (topic, message) in retained where message.isExpired(at: now) {
            retained[topic] = nil
            retainedChanged(topic)
        }
    }

    /// Server shutdown: MQTT 5 clients are told (0x8B) and every connection is closed. Wills are not published.
    mutating func shutdown(now: ContinuousClock.Instant) {
        for (id, connection) in connections {
            disconnect(connection, reason: .serverShuttingDown)
            endConnection(id, publishWill: false, now: now)
        }
    }
}
