/// Where log entries live: PocketBase keeps them in `auxiliary.db`, apart from the data, so a burst of logging
/// never contends with record writes. The SQLite adapter implements it (`SQLiteLogStore`); the core compiles
/// filters and sorts into ``SQLFragment``s in the store's ``dialect`` and never spells a statement.
///
/// Conditions and order terms refer to the columns `id`, `created`, `level`, `message`, `data` of the table
/// named ``LogEntry/tableName``.
public protocol LogStore: Sendable {
    var dialect: any SQLDialect { get }
    /// Stores `rows` in one transaction: all of them or none.
    func insert(_ rows: [LogRow]) async throws
    /// A page of entries matching `query`, and the number matching in all (-1 when `query.skipTotal`).
    func list(_ query: LogListQuery) async throws -> (items: [LogEntry], total: Int)
    func entry(id: String) async throws -> LogEntry?
    /// Entries per hour (`date` = `YYYY-MM-DD HH:00:00.000Z`), oldest hour first.
    func hourlyCounts(matching condition: SQLFragment?) async throws -> [LogHourCount]
    /// Deletes entries created at or before `cutoff` (a PocketBase date text), or, when `belowLevel` is
    /// given, below that level; answers how many went.
    @discardableResult
    func deleteEntries(createdAtOrBefore cutoff: String, belowLevel: Int?) async throws -> Int
    /// Deletes every entry, then gives the freed space back to the file system when it can (PocketBase's
    /// `DELETE /api/logs`: a failed compaction is logged, not an error).
    func deleteAll() async throws
}

extension LogStore {
    /// Stores `entries` in one transaction: all of them or none.
    public func insert(_ entries: [LogEntry]) async throws {
        try await insert(entries.map(\.row))
    }
}

/// What a logs list asks the store for: compiled conditions (ANDed), order terms (none: insertion order),
/// and the page.
public struct LogListQuery: Sendable {
    public var conditions: [SQLFragment]
    public var orderBy: [SQLFragment]
    public var limit: Int
    public var offset: Int
    public var skipTotal: Bool

    public init(conditions: [SQLFragment], orderBy: [SQLFragment], limit: Int, offset: Int, skipTotal: Bool) {
        self.conditions = conditions
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.skipTotal = skipTotal
    }
}

/// One item of `GET /api/logs/stats`.
public struct LogHourCount: Sendable, Equatable {
    public var date: String
    public var total: Int

    public init(date: String, total: Int) {
        self.date = date
        self.total = total
    }

    public var json: JSONValue { ["date": .string(date), "total": .number(Double(total))] }
}
