/// A log entry as the store writes it: ``LogEntry`` with its `data` already JSON text.
public struct LogRow: Sendable, Equatable {
    public var id: String
    public var created: String
    public var level: Int
    public var message: String
    /// The entry's `data` object as JSON text (keys sorted, as `JSONValue` writes them).
    public var data: String

    public init(id: String, created: String, level: Int, message: String, data: String) {
        self.id = id
        self.created = created
        self.level = level
        self.message = message
        self.data = data
    }
}

extension LogEntry {
    /// The entry as stored.
    public var row: LogRow {
        LogRow(id: id, created: created, level: level, message: message, data: data.jsonString)
    }
}
