import Foundation
internal import GRDBSQLite
import SwiftbaseCore

/// A connection of its own to the store's file for one console query (see `SQLiteStore+Console`), through
/// SQLite's C API, closed when the query is over: whatever the query does to a connection (`PRAGMA`s, a
/// transaction left open, temporary tables) goes with it, and none of the server's connections is touched.
///
/// - A progress handler interrupts any statement still running at the deadline (SQLite answers "interrupted").
/// - An authorizer refuses `ATTACH`: a console must not open or create arbitrary files on the server.
final class SQLiteConsoleConnection {
    /// What a statement run reports to the caller.
    enum Outcome {
        case finished(SQLConsoleResult)
        /// A statement would write, and the caller asked to hear that before it runs.
        case wouldWrite
    }

    private let handle: OpaquePointer
    private let deadline: Deadline

    /// The deadline the progress handler reads; a class, so the handler can hold it by pointer.
    private final class Deadline {
        let instant: ContinuousClock.Instant
        init(_ instant: ContinuousClock.Instant) { self.instant = instant }
    }

    init(path: String, deadline: ContinuousClock.Instant) throws(SQLConsoleError) {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "unable to open database file"
            sqlite3_close_v2(opened)
            throw Self.error(code, message)
        }
        handle = opened
        self.deadline = Deadline(deadline)
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 10_000)
        sqlite3_progress_handler(
            handle, 1000,
            { context in
                guard let context else { return 0 }
                let deadline = Unmanaged<Deadline>.fromOpaque(context).takeUnretainedValue()
                return ContinuousClock.now >= deadline.instant ? 1 : 0
            }, Unmanaged.passUnretained(self.deadline).toOpaque())
        sqlite3_set_authorizer(
            handle, { _, action, _, _, _, _ in action == SQLITE_ATTACH ? SQLITE_DENY : SQLITE_OK }, nil)
    }

    deinit {
        // Closing rolls back a transaction the query left open.
        sqlite3_close_v2(handle)
    }

    /// Runs every statement of `sql` in order. The answer is the last statement's columns and first `maxRows`
    /// rows (earlier statements run to their end), and `sqlite3_changes` after the last one. With
    /// `stopBeforeWrites`, nothing is run once a statement that would write shows up: `.wouldWrite`.
    func run(_ sql: String, maxRows: Int, stopBeforeWrites: Bool) throws(SQLConsoleError) -> Outcome {
        let utf8 = Array(sql.utf8CString)
        var result = SQLConsoleResult()
        var failure: SQLConsoleError?
        var stoppedForWrite = false
        utf8.withUnsafeBufferPointer { buffer in
            guard var cursor = buffer.baseAddress else { return }
            let end = cursor + buffer.count - 1  // before the NUL
            while cursor < end {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, cursor, Int32(end - cursor), &statement, &tail)
                guard code == SQLITE_OK else {
                    failure = lastError(code)
                    return
                }
                defer { sqlite3_finalize(statement) }
                guard let tail, tail > cursor else { return }
                cursor = tail
                guard let statement else { continue }  // only whitespace or a comment
                if stopBeforeWrites && sqlite3_stmt_readonly(statement) == 0 {
                    stoppedForWrite = true
                    return
                }
                do throws(SQLConsoleError) {
                    result = try step(statement, maxRows: maxRows)
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        if stoppedForWrite { return .wouldWrite }
        result.affectedRows = Int64(sqlite3_changes(handle))
        return .finished(result)
    }

    /// Runs one statement SQL would run as is (`BEGIN`, `COMMIT`, `ROLLBACK`).
    func execute(_ sql: String) throws(SQLConsoleError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        if code != SQLITE_OK { throw lastError(code) }
    }

    /// Whether a transaction is open (one the query began, or the console's own).
    var isInsideTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    private func step(_ statement: OpaquePointer, maxRows: Int) throws(SQLConsoleError) -> SQLConsoleResult {
        let count = sqlite3_column_count(statement)
        var result = SQLConsoleResult()
        result.columns = (0..<count).map { index in
            SQLConsoleResult.Column(
                name: sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "",
                declaredType: sqlite3_column_decltype(statement, index).map { String(cString: $0).uppercased() } ?? "")
        }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return result }
            guard code == SQLITE_ROW else { throw lastError(code) }
            // PocketBase stops reading at the cap and leaves the rest of the rows unread.
            if result.rows.count >= maxRows { return result }
            result.rows.append((0..<count).map { DirectStatement.value(of: statement, at: $0) })
        }
    }

    private func lastError(_ code: Int32) -> SQLConsoleError {
        let extended = sqlite3_extended_errcode(handle)
        return Self.error(extended == SQLITE_OK ? code : extended, String(cString: sqlite3_errmsg(handle)))
    }

    /// The words PocketBase's driver uses: the code's description, the message and the extended code,
    /// e.g. `SQL logic error: no such table: x (1)`.
    private static func error(_ code: Int32, _ message: String) -> SQLConsoleError {
        let description = sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown error"
        return SQLConsoleError(message: "\(description): \(message) (\(code))")
    }
}
