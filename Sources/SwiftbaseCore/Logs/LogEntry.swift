/// One stored log entry, PocketBase's `_logs` row: `{"id", "created", "level", "message", "data"}`.
///
/// Request logs carry `data.type == "request"` (see ``RequestLogFacts``); `level` is slog's number:
/// -4 debug, 0 info, 4 warn, 8 error.
public struct LogEntry: Sendable, Equatable {
    /// The table entries are stored in, and that filters and sorts are compiled against (PocketBase's name).
    public static let tableName = "_logs"

    public var id: String
    /// `2006-01-02 15:04:05.000Z`, as every PocketBase date.
    public var created: String
    public var level: Int
    public var message: String
    public var data: JSONValue

    public init(id: String, created: String, level: Int, message: String, data: JSONValue) {
        self.id = id
        self.created = created
        self.level = level
        self.message = message
        self.data = data
    }

    /// The entry as the logs API answers it.
    public var json: JSONValue {
        [
            "id": .string(id), "created": .string(created), "level": .number(Double(level)),
            "message": .string(message), "data": data,
        ]
    }
}

/// slog's levels, as PocketBase stores them in `level`.
public enum LogLevel {
    public static let debug = -4
    public static let info = 0
    public static let warn = 4
    public static let error = 8
}
