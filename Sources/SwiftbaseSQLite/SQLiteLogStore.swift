import Foundation
import Logging
internal import GRDB
internal import GRDBSQLite
public import SwiftbaseCore

/// Log entries in their own database, `DIR/auxiliary.db`, as PocketBase keeps them: a `DatabasePool` of its
/// own (WAL, `synchronous=NORMAL`), so storing a batch of logs never waits behind record writes, nor they
/// behind it. The table is PocketBase's (`_logs`), indexed on `level` and on `created`. PocketBase also
/// indexes `message`; that index is left out (and dropped from older files): the logs' message filters are
/// contains-matches no B-tree index serves, and every entry paid an insertion at a random place in it — with
/// the random ids PocketBase gives entries, most of the cost of storing a log entry (entries here get
/// time-ordered ids, `Identifiers.timeOrderedID`). PocketBase's index on the hour of `created` (what
/// `hourlyCounts` groups by) is replaced by one on `created` itself (and dropped from older files): the
/// expression cost every insert a date formatting (a fifth of storing an entry, measured), while the plain
/// index serves the retention's `created <=`, date ranges and sorting by date (the stats group what they read
/// in a temporary index instead, as they already did under any filter).
public final class SQLiteLogStore: LogStore {
    private let pool: DatabasePool
    private let countPlans = SQLiteCountPlans()
    public let path: String
    public var dialect: any SQLDialect { SQLiteDialect() }

    /// The hour an entry falls in, as `GET /api/logs/stats` groups them.
    private static let hourExpression = #"strftime('%Y-%m-%d %H:00:00', "created")"#
    private static let columns = #""id", "created", "level", "message", "data""#

    /// Opens (creating if needed) the database at `path` and its table.
    public init(path: String) throws {
        var config = GRDB.Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = 2
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        self.pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS "_logs" (
                        "id" TEXT PRIMARY KEY NOT NULL,
                        "level" INTEGER DEFAULT 0 NOT NULL,
                        "message" TEXT DEFAULT '' NOT NULL,
                        "data" JSON DEFAULT '{}' NOT NULL,
                        "created" TEXT DEFAULT '' NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS "idx_logs_level" ON "_logs" ("level");
                    DROP INDEX IF EXISTS "idx_logs_message";
                    DROP INDEX IF EXISTS "idx_logs_created_hour";
                    CREATE INDEX IF NOT EXISTS "idx_logs_created" ON "_logs" ("created");
                    """)
        }
    }

    /// A batch in one transaction, through multi-row INSERTs of up to `insertChunkSize` rows
    /// (``MultiRowInsert``), every value bound straight through SQLite's C API: text with its length (a message
    /// may hold a NUL), and none of GRDB's argument conversion, which cost a request log entry more than
    /// SQLite's insert itself.
    public func insert(_ rows: [LogRow]) async throws {
        guard !rows.isEmpty else { return }
        let insert = Self.insert
        do {
            try await pool.write { db in
                try insert.run(count: rows.count, on: db) { index, parameter, handle in
                    let row = rows[index]
                    var code = DirectStatement.bindText(row.id, at: parameter, to: handle)
                    if code == SQLITE_OK { code = DirectStatement.bindText(row.created, at: parameter + 1, to: handle) }
                    if code == SQLITE_OK { code = sqlite3_bind_int64(handle, parameter + 2, Int64(row.level)) }
                    if code == SQLITE_OK { code = DirectStatement.bindText(row.message, at: parameter + 3, to: handle) }
                    if code == SQLITE_OK { code = DirectStatement.bindText(row.data, at: parameter + 4, to: handle) }
                    return code
                }
            }
        } catch let error as DatabaseError {
            throw SQLiteStore.translate(error)
        }
    }

    /// Rows per INSERT statement: 160 bound values, well under SQLite's variable limit (32,766 by default;
    /// `MultiRowInsert` shrinks a chunk under a lower one). Measured with SQLite alone on this table, a row costs
    /// about the same anywhere from 10 to 64 rows per statement, and about twice as much alone.
    static let insertChunkSize = 32

    private static let insert = MultiRowInsert(
        table: LogEntry.tableName, columns: ["id", "created", "level", "message", "data"], chunkSize: insertChunkSize)

    public func list(_ query: LogListQuery) async throws -> (items: [LogEntry], total: Int) {
        let whereClause = Self.whereClause(query.conditions)
        let orderBy =
            query.orderBy.isEmpty
            ? SQLFragment(unsafeRaw: " ORDER BY \"_logs\".\"_rowid_\"")
            : SQLFragment(unsafeRaw: " ORDER BY ") + SQLFragment.join(query.orderBy, separator: ", ")
        let select =
            SQLFragment(unsafeRaw: "SELECT \(Self.columns) FROM \"_logs\"") + whereClause + orderBy
            + SQLFragment(
                unsafeRaw: " LIMIT ? OFFSET ?",
                arguments: [.integer(Int64(query.limit)), .integer(Int64(min(query.offset, Int(Int64.max))))])
        let count = SQLFragment(unsafeRaw: "SELECT COUNT(*) FROM \"_logs\"") + whereClause
        let skipTotal = query.skipTotal
        return try await read { connection in
            let items = try connection.rows(select).map(Self.entry(from:))
            let total = skipTotal ? -1 : Int(try connection.scalar(count)?.int64Value ?? 0)
            return (items, total)
        }
    }

    public func entry(id: String) async throws -> LogEntry? {
        let query = SQLFragment(
            unsafeRaw: "SELECT \(Self.columns) FROM \"_logs\" WHERE \"id\" = ? LIMIT 1", arguments: [.text(id)])
        return try await read { connection in try connection.row(query).map(Self.entry(from:)) }
    }

    public func hourlyCounts(matching condition: SQLFragment?) async throws -> [LogHourCount] {
        let query =
            SQLFragment(unsafeRaw: "SELECT COUNT(\"id\") AS \"total\", \(Self.hourExpression) AS \"date\" FROM \"_logs\"")
            + Self.whereClause(condition.map { [$0] } ?? [])
            + SQLFragment(unsafeRaw: " GROUP BY \"date\" ORDER BY \"date\"")
        return try await read { connection in
            try connection.rows(query).compactMap { row -> LogHourCount? in
                guard let hour = row["date"]?.textValue else { return nil }
                return LogHourCount(date: hour + ".000Z", total: Int(row["total"]?.int64Value ?? 0))
            }
        }
    }

    public func deleteEntries(createdAtOrBefore cutoff: String, belowLevel: Int?) async throws -> Int {
        var statement = SQLFragment(unsafeRaw: "DELETE FROM \"_logs\" WHERE \"created\" <= ?", arguments: [.text(cutoff)])
        if let belowLevel {
            statement += SQLFragment(unsafeRaw: " OR \"level\" < ?", arguments: [.integer(Int64(belowLevel))])
        }
        let finalStatement = statement
        let plans = countPlans
        return try await pool.write { db in
            let connection = SQLiteConnection(db: db, countPlans: plans)
            try connection.execute(finalStatement)
            return connection.changedRowCount
        }
    }

    public func deleteAll() async throws {
        do {
            try await pool.write { db in try db.execute(sql: #"DELETE FROM "_logs""#) }
        } catch let error as DatabaseError {
            throw SQLiteStore.translate(error)
        }
        // VACUUM cannot run in a transaction; readers may hold the old pages a moment longer, which only delays
        // the space coming back.
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        } catch {
            Self.logger.warning("compacting auxiliary.db after truncating the logs failed", metadata: ["sb.error": "\(error)"])
        }
    }

    private static let logger = Logger(label: "swiftbase.logs")

    // MARK: - Helpers

    private func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let plans = countPlans
        do {
            return try await pool.read { db in try body(SQLiteConnection(db: db, countPlans: plans)) }
        } catch let error as DatabaseError {
            throw SQLiteStore.translate(error)
        }
    }

    private static func whereClause(_ conditions: [SQLFragment]) -> SQLFragment {
        conditions.isEmpty
            ? SQLFragment(unsafeRaw: "")
            : SQLFragment(unsafeRaw: " WHERE ") + SQLFragment.join(conditions, separator: " AND ")
    }

    private static func entry(from row: StoreRow) -> LogEntry {
        LogEntry(
            id: row["id"]?.textValue ?? "", created: row["created"]?.textValue ?? "",
            level: Int(row["level"]?.int64Value ?? 0), message: row["message"]?.textValue ?? "",
            data: (try? JSONValue.parse(row["data"]?.textValue ?? "{}")) ?? [:])
    }
}
