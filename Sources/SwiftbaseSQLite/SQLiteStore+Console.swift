import Foundation
internal import GRDB
public import SwiftbaseCore

extension SQLiteStore {
    /// The superuser SQL console on this store's file: queries stop at `timeout` (PocketBase: 3 minutes).
    public func console(timeout: Duration) -> any SQLConsole {
        SQLiteConsole(store: self, timeout: timeout)
    }
}

/// How the console runs a query, as PocketBase 0.40 does, on connections of its own (`SQLiteConsoleConnection`):
///
/// - A query that starts with a write keyword (`INSERT`, `CREATE`, `UPDATE`, `DELETE`, `DROP`, `DETACH`, `ALTER`,
///   `REPLACE`, as PocketBase loosely checks) runs all its statements in one transaction, rolled back when one
///   fails, and answers the rows the last statement changed and no rows.
/// - Any other query runs its statements one by one without a transaction and answers the last one's rows.
///   Such a query may still write (`WITH … INSERT`, a comment before `INSERT`); then it runs like a write.
///
/// Writes run while the pool's writer is held (GRDB's `writeWithoutTransaction`), so record writes queue behind
/// a console write, as they queue behind PocketBase's one writer connection, instead of failing on a lock.
/// Reads run beside everything else; a read that meets a statement that would write stops before it (nothing
/// written yet) and runs again, from the start, with the writer held.
struct SQLiteConsole: SQLConsole {
    let store: SQLiteStore
    let timeout: Duration

    static let writePrefixes = ["INSERT", "CREATE", "UPDATE", "DELETE", "DROP", "DETACH", "ALTER", "REPLACE"]

    func run(_ query: String, maxRows: Int) async throws -> SQLConsoleResult {
        let sql = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !sql.isEmpty else { throw SQLConsoleError(message: "empty query") }
        let path = store.path
        let deadline = ContinuousClock.now + timeout
        if Self.isWriteQuery(sql) {
            return try await store.pool.writeWithoutTransaction { _ in
                try Self.write(sql, path: path, deadline: deadline)
            }
        }
        let outcome = try await Self.offCooperativePool {
            try SQLiteConsoleConnection(path: path, deadline: deadline).run(sql, maxRows: maxRows, stopBeforeWrites: true)
        }
        if case .finished(var result) = outcome {
            result.affectedRows = 0
            return result
        }
        return try await store.pool.writeWithoutTransaction { _ in
            let connection = try SQLiteConsoleConnection(path: path, deadline: deadline)
            guard case .finished(var result) = try connection.run(sql, maxRows: maxRows, stopBeforeWrites: false)
            else { throw SQLConsoleError(message: "the query could not run") }
            result.affectedRows = 0
            return result
        }
    }

    /// PocketBase's loose check: upper-cased, not `SELECT…`, starting with one of `writePrefixes`.
    static func isWriteQuery(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        return !upper.hasPrefix("SELECT") && writePrefixes.contains { upper.hasPrefix($0) }
    }

    private static func write(_ sql: String, path: String, deadline: ContinuousClock.Instant) throws -> SQLConsoleResult {
        let connection = try SQLiteConsoleConnection(path: path, deadline: deadline)
        try connection.execute("BEGIN IMMEDIATE")
        do {
            guard case .finished(let result) = try connection.run(sql, maxRows: 0, stopBeforeWrites: false)
            else { throw SQLConsoleError(message: "the query could not run") }
            if connection.isInsideTransaction { try connection.execute("COMMIT") }
            return SQLConsoleResult(affectedRows: result.affectedRows)
        } catch {
            if connection.isInsideTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` on a dispatch thread: a console read may take its whole time budget, which must not hold
    /// one of the few threads every request shares.
    private static func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
