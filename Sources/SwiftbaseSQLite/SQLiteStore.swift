import Foundation
internal import GRDB
public import SwiftbaseCore

/// The embedded default store: `DIR/data.db` in WAL mode through GRDB — the `DatabasePool`'s one writer,
/// fed by group commit (`SQLiteWriteGroups`), and read-only connections used on the calling thread
/// (`SQLiteReaders`); statements come from caches.
///
/// Durability: `synchronous=NORMAL` in WAL mode keeps every committed transaction across a process crash;
/// only an OS crash or power loss may lose the last transactions (the database stays consistent).
public final class SQLiteStore: Store {
    let pool: DatabasePool
    private let readers: SQLiteReaders
    private let writeGroups: SQLiteWriteGroups
    let countPlans: SQLiteCountPlans
    private let walIndex: WALIndexHeader
    public let path: String
    public var dialect: any SQLDialect { SQLiteDialect() }

    /// Opens (creating if needed) the database at `path`.
    public convenience init(path: String) throws {
        try self.init(path: path, countPlans: SQLiteCountPlans())
    }

    init(path: String, countPlans: SQLiteCountPlans) throws {
        var config = GRDB.Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA cache_size = -16000")
        }
        self.path = path
        self.pool = try DatabasePool(path: path, configuration: config)
        self.readers = SQLiteReaders(path: path, maximumIdle: config.maximumReaderCount)
        self.writeGroups = SQLiteWriteGroups(pool: pool)
        self.countPlans = countPlans
        self.walIndex = WALIndexHeader(databasePath: path)
    }

    /// The WAL index header (see `WALIndexHeader`): it moves with every commit of any connection.
    public func committedVersion() -> StoreVersion? {
        walIndex.version()
    }

    /// Runs `body` in a read transaction on a reader connection, on the calling thread.
    ///
    /// Reads are short and CPU-bound (WAL readers never wait for the writer, pages come from the cache), so
    /// they run where the request already is: GRDB's async read would hop to the reader's queue and back,
    /// two thread switches that cost more than a lookup by id (measured with perf under wrk, issue 6).
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        do {
            return try readers.read { db in
                try body(SQLiteConnection(db: db, countPlans: countPlans))
            }
        } catch let error as DatabaseError {
            throw Self.translate(error)
        }
    }

    /// Runs `body` in a write transaction, committed together with the writes queued beside it (see
    /// `SQLiteWriteGroups`); it returns once that commit is done.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        let plans = countPlans
        return try await translatingErrors {
            try await writeGroups.write { db in try body(SQLiteConnection(db: db, countPlans: plans)) }
        }
    }

    /// `committed` runs on the writer's queue right after the commit, before the next group begins: in commit
    /// order (see `SQLiteWriteGroups`).
    public func write<T: Sendable>(
        _ body: @escaping @Sendable (any StoreConnection) throws -> T, committed: @escaping @Sendable (T) -> Void
    ) async throws -> T {
        let plans = countPlans
        return try await translatingErrors {
            try await writeGroups.write({ db in try body(SQLiteConnection(db: db, countPlans: plans)) }, committed: committed)
        }
    }

    /// Runs `body` outside a transaction on the writer (for statements SQLite refuses inside one).
    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T)
        async throws -> T
    {
        let plans = countPlans
        return try await translatingErrors {
            try await pool.writeWithoutTransaction { db in try body(SQLiteConnection(db: db, countPlans: plans)) }
        }
    }

    /// Copies the live database into a new file with SQLite's online backup: the copy is one consistent
    /// snapshot (taken inside a read transaction) while writers go on. `progress` hears the fraction done.
    public func backup(to destinationPath: String, progress: (@Sendable (Double) -> Void)? = nil) throws {
        let destination = try DatabaseQueue(path: destinationPath)
        try pool.backup(to: destination, pagesPerStep: progress == nil ? -1 : 4096) { step in
            progress?(step.totalPageCount == 0 ? 1 : Double(step.completedPageCount) / Double(step.totalPageCount))
        }
    }

    private func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw Self.translate(error)
        }
    }

    static func translate(_ error: DatabaseError) -> any Error {
        guard error.resultCode == .SQLITE_CONSTRAINT else { return error }
        let message = error.message ?? ""
        let kind: StoreConstraintError.Kind =
            error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY ? .unique : .other
        // "UNIQUE constraint failed: posts.slug, posts.title"
        var table: String?
        var columns: [String] = []
        if let colon = message.range(of: "failed: ") {
            for part in message[colon.upperBound...].split(separator: ",") {
                let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: ".", maxSplits: 1)
                if pieces.count == 2 {
                    table = String(pieces[0])
                    columns.append(String(pieces[1]))
                }
            }
        }
        return StoreConstraintError(kind: kind, table: table, columns: columns)
    }
}

/// A GRDB `Database` seen through the core's `StoreConnection`.
struct SQLiteConnection: StoreConnection {
    let db: Database
    let countPlans: SQLiteCountPlans
    var dialect: any SQLDialect { SQLiteDialect() }

    /// Constraint violations surface here, inside the transaction, as `StoreConstraintError`, so a caller
    /// running several writes in one transaction knows which of them failed.
    func execute(_ statement: SQLFragment) throws {
        do {
            if statement.arguments.contains(where: Self.isTextWithNUL) {
                // GRDB binds a String as a C string, which ends at its first NUL: "a\0b" would be stored as
                // "a". `DirectStatement` binds the whole UTF-8 buffer with its length.
                _ = try DirectStatement.rows(statement.sql, arguments: statement.arguments, on: db)
            } else if statement.arguments.isEmpty {
                try db.execute(sql: statement.sql)
            } else {
                let prepared = try db.boundedCachedStatement(sql: statement.sql)
                try prepared.execute(arguments: Self.arguments(statement.arguments))
            }
        } catch let error as DatabaseError {
            throw SQLiteStore.translate(error)
        }
    }

    /// Through `DirectStatement` on every connection: GRDB reads text as a C string, so a value with a NUL in
    /// it would come back cut short, and a write that reads a record back (an update's `title+`) would store
    /// the cut value.
    func rows(_ query: SQLFragment) throws -> [StoreRow] {
        try DirectStatement.rows(query.sql, arguments: query.arguments, on: db)
    }

    private static func isTextWithNUL(_ value: SQLValue) -> Bool {
        if case .text(let text) = value { return text.utf8.contains(0) }
        return false
    }

    var changedRowCount: Int { db.changesCount }

    var timeSeries: (any TimeSeriesStorage)? { SQLiteTimeSeriesStorage(db: db) }

    func count(_ query: SQLFragment, orScan scan: SQLFragment) throws -> Int {
        let value = try countPlans.count(planned: query, scan: scan, on: db) { try scalar($0) }
        return Int(value?.int64Value ?? 0)
    }

    /// Through GRDB's existential initializer: its generic one maps with a key path, which is instantiated at
    /// run time on every call (a few percent of a by-id read).
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { databaseValue($0) as (any DatabaseValueConvertible)? })
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let i): i.databaseValue
        case .real(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .blob(let b): Data(b).databaseValue
        }
    }
}
