/// The superuser SQL console (PocketBase's `POST /api/sql`, its JS SDK's `pb.sql.run`): a superuser's own query
/// text, run by the store as typed. The query is the point here — it is never built from anyone else's input —
/// so the seam carries text, and the store decides how to run it safely: within a time budget, with a row cap,
/// serialized with the record writes, without touching the connections the rest of the server uses.
///
/// Writes made here bypass `RecordService` on purpose, as in PocketBase: no hooks, rules, change log entries or
/// realtime events. The route audits every run.
public protocol SQLConsole: Sendable {
    /// Runs `query` (one or more statements) and answers the last statement's columns and at most `maxRows` of
    /// its rows, or how many rows a write query changed. Throws `SQLConsoleError` with the database's own words
    /// when a statement fails; a write query that fails leaves nothing behind.
    func run(_ query: String, maxRows: Int) async throws -> SQLConsoleResult
}

/// What a console query answered.
public struct SQLConsoleResult: Sendable, Equatable {
    /// A result column: its name and the type its table declares (`""` for an expression).
    public struct Column: Sendable, Equatable {
        public var name: String
        public var declaredType: String

        public init(name: String, declaredType: String) {
            self.name = name
            self.declaredType = declaredType
        }
    }

    public var columns: [Column]
    public var rows: [[SQLValue]]
    /// Rows changed by the last statement of a write query; 0 for a query that returns rows.
    public var affectedRows: Int64

    public init(columns: [Column] = [], rows: [[SQLValue]] = [], affectedRows: Int64 = 0) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }
}

/// A console query the database refused or interrupted, in the database's words (PocketBase answers them as
/// the "Raw error"), e.g. `SQL logic error: no such table: x (1)`.
public struct SQLConsoleError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
