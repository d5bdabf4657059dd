/// Where the MQTT broker keeps what must outlive a restart: its persistent sessions (by client identifier) and its
/// retained messages (by topic), each an opaque blob the broker encodes itself. The SQLite adapter implements it
/// (`SQLiteMQTTStateStore`, tables `_mqttSessions` and `_mqttRetained` in the data database); the core and the
/// broker never spell a statement.
public protocol MQTTStateStore: Sendable {
    /// Everything stored.
    func load() async throws -> MQTTStoredState
    /// Writes `changes` in one transaction: all of them or none.
    func save(_ changes: MQTTStoredState.Changes) async throws
}

/// The broker's stored state, and changes to it.
public struct MQTTStoredState: Sendable, Equatable {
    public var sessions: [String: [UInt8]]
    public var retained: [String: [UInt8]]

    public init(sessions: [String: [UInt8]] = [:], retained: [String: [UInt8]] = [:]) {
        self.sessions = sessions
        self.retained = retained
    }

    /// Blobs to store under their key; nil deletes the key.
    public struct Changes: Sendable, Equatable {
        public var sessions: [String: [UInt8]?]
        public var retained: [String: [UInt8]?]

        public init(sessions: [String: [UInt8]?] = [:], retained: [String: [UInt8]?] = [:]) {
            self.sessions = sessions
            self.retained = retained
        }

        public var isEmpty: Bool { sessions.isEmpty && retained.isEmpty }
    }
}
