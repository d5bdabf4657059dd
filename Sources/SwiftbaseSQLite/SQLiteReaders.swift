import Foundation
internal import GRDB
import Synchronization
import SwiftbaseCore

/// Read-only connections to the store's database, taken by the calling thread for one read and given back.
///
/// GRDB's `DatabasePool` read path costs about as much as a lookup by id: a dispatch barrier and a
/// semaphore to borrow a reader, `PRAGMA schema_version` and freshly prepared `BEGIN`/`COMMIT` each time
/// (measured with perf under wrk, issue 6). These connections are borrowed under a mutex, and begin and
/// end their snapshot transaction with cached statements. WAL mode lets them read while the pool's
/// writer writes; each read sees the database as of its first statement. When the schema changed since a
/// connection's last read (a collection altered), its cached statements are dropped: a cached `SELECT *`
/// would otherwise keep the old column names.
final class SQLiteReaders: Sendable {
    private let path: String
    /// Idle connections, with the schema version each last read under.
    private let idle = Mutex<[(connection: DatabaseQueue, schemaVersion: Int64)]>([])
    private let maximumIdle: Int

    init(path: String, maximumIdle: Int) {
        self.path = path
        self.maximumIdle = maximumIdle
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let (reader, knownVersion) = try idle.withLock { $0.popLast() } ?? (Self.open(path), -1)
        var schemaVersion = knownVersion
        defer {
            idle.withLock { readers in
                if readers.count < maximumIdle { readers.append((reader, schemaVersion)) }
            }
        }
        return try reader.inDatabase { db in
            // The snapshot's own statements run directly too (see `DirectStatement`): on these connections
            // GRDB has nothing to track about them.
            _ = try DirectStatement.rows("BEGIN DEFERRED TRANSACTION", on: db)
            do {
                let version = try DirectStatement.rows("PRAGMA schema_version", on: db).first?.values.first?.int64Value ?? 0
                if version != schemaVersion {
                    db.clearSchemaCache()
                    schemaVersion = version
                }
                let result = try body(db)
                _ = try DirectStatement.rows("COMMIT TRANSACTION", on: db)
                return result
            } catch {
                if db.isInsideTransaction { try? db.executeCached("ROLLBACK TRANSACTION") }
                throw error
            }
        }
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var config = GRDB.Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.label = "swiftbase.reader"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA cache_size = -16000")
        }
        return try DatabaseQueue(path: path, configuration: config)
    }
}
