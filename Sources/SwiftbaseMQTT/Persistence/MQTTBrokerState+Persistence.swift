import Foundation
import SwiftbaseCore

extension MQTTBrokerState {
    /// Notes that `clientID`'s session changed, for the next `takeChanges` (only while changes are tracked).
    mutating func sessionChanged(_ clientID: String) {
        if tracksChanges { changedSessions.insert(clientID) }
    }

    mutating func retainedChanged(_ topic: String) {
        if tracksChanges { changedRetained.insert(topic) }
    }

    /// What changed since the last call, encoded: persistent sessions (expiry interval above 0) to store, other
    /// and ended sessions to delete, retained messages to store or delete.
    mutating func takeChanges(clocks: MQTTStateCodec.Clocks) -> MQTTStoredState.Changes {
        var changes = MQTTStoredState.Changes()
        for clientID in changedSessions {
            if let session = sessions[clientID], session.expiryInterval > 0 {
                changes.sessions[clientID] = .some(MQTTStateCodec.encode(session, clocks: clocks))
            } else {
                changes.sessions[clientID] = .some(nil)
            }
        }
        for topic in changedRetained {
            changes.retained[topic] = .some(retained[topic].map { MQTTStateCodec.encode($0, clocks: clocks) })
        }
        changedSessions = []
        changedRetained = []
        return changes
    }

    /// Puts back keys whose changes could not be stored, so the next `takeChanges` tries them again.
    mutating func retryChanges(_ changes: MQTTStoredState.Changes) {
        changedSessions.formUnion(changes.sessions.keys)
        changedRetained.formUnion(changes.retained.keys)
    }

    /// Loads what a previous run stored and starts tracking changes. Sessions come back offline: one that was
    /// connected when the server stopped starts its expiry now; one that had expired meanwhile, and expired
    /// retained messages, are left out (and deleted at the next save). Returns what was restored.
    mutating func restore(_ stored: MQTTStoredState, clocks: MQTTStateCodec.Clocks) -> (sessions: Int, retained: Int) {
        tracksChanges = true
        var counts = (sessions: 0, retained: 0)
        for (topic, bytes) in stored.retained {
            guard let message = MQTTStateCodec.decodeMessage(bytes, clocks: clocks), !message.isExpired(at: clocks.now)
            else {
                changedRetained.insert(topic)
                continue
            }
            retained[topic] = message
            counts.retained += 1
        }
        for (clientID, bytes) in stored.sessions {
            guard var session = MQTTStateCodec.decodeSession(bytes, clocks: clocks), session.clientID == clientID,
                sessions[clientID] == nil
            else {
                changedSessions.insert(clientID)
                continue
            }
            if session.expiryInterval != UInt32.max {
                let expiresAt = session.expiresAt ?? clocks.now + .seconds(Int64(session.expiryInterval))
                if expiresAt <= clocks.now {
                    changedSessions.insert(clientID)
                    continue
                }
                session.expiresAt = expiresAt
            } else {
                session.expiresAt = nil
            }
            session.connection = nil
            for (filter, entry) in session.subscriptions { trie.insert(clientID: clientID, filter: filter, entry: entry) }
            sessions[clientID] = session
            counts.sessions += 1
        }
        return counts
    }
}
