public import SwiftbaseCore

/// The MQTT broker's persistent sessions and retained messages in the data database (`data.db`), one row per key
/// with the broker's blob: `_mqttSessions (clientId, state)` and `_mqttRetained (topic, message)`. Written through
/// the store's one serialized writer, every value bound.
public final class SQLiteMQTTStateStore: MQTTStateStore {
    private let store: any Store

    /// Uses `store` (the app's `SQLiteStore`); the tables are created by the first `load`.
    public init(store: any Store) {
        self.store = store
    }

    public func load() async throws -> MQTTStoredState {
        try await store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"CREATE TABLE IF NOT EXISTS "_mqttSessions" ("clientId" TEXT PRIMARY KEY NOT NULL, "state" BLOB NOT NULL)"#
                ))
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"CREATE TABLE IF NOT EXISTS "_mqttRetained" ("topic" TEXT PRIMARY KEY NOT NULL, "message" BLOB NOT NULL)"#
                ))
        }
        return try await store.read { conn in
            var state = MQTTStoredState()
            for row in try conn.rows(SQLFragment(unsafeRaw: #"SELECT "clientId", "state" FROM "_mqttSessions""#)) {
                guard let key = row["clientId"]?.textValue, case .blob(let bytes)? = row["state"] else { continue }
                state.sessions[key] = bytes
            }
            for row in try conn.rows(SQLFragment(unsafeRaw: #"SELECT "topic", "message" FROM "_mqttRetained""#)) {
                guard let key = row["topic"]?.textValue, case .blob(let bytes)? = row["message"] else { continue }
                state.retained[key] = bytes
            }
            return state
        }
    }

    public func save(_ changes: MQTTStoredState.Changes) async throws {
        guard !changes.isEmpty else { return }
        try await store.write { conn in
            for (table, key, value, rows) in [
                ("_mqttSessions", "clientId", "state", changes.sessions), ("_mqttRetained", "topic", "message", changes.retained),
            ] {
                for (id, blob) in rows {
                    if let blob {
                        try conn.execute(
                            SQLFragment(
                                unsafeRaw: #"INSERT INTO "\#(table)" ("\#(key)", "\#(value)") VALUES (?, ?) ON CONFLICT ("\#(key)") DO UPDATE SET "\#(value)" = excluded."\#(value)""#,
                                arguments: [.text(id), .blob(blob)]))
                    } else {
                        try conn.execute(
                            SQLFragment(unsafeRaw: #"DELETE FROM "\#(table)" WHERE "\#(key)" = ?"#, arguments: [.text(id)]))
                    }
                }
            }
        }
    }
}
