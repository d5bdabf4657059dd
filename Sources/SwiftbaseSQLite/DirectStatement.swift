internal import GRDB
internal import GRDBSQLite
import SwiftbaseCore

/// Runs a cached GRDB statement through SQLite's C API: binds `SQLValue`s and reads rows straight into
/// `StoreRow`s, text always with its byte length.
///
/// Every read goes through it. GRDB binds and reads text as C strings, which end at the first NUL, so a
/// stored "a\0b" would read back as "a"; and on the read-only connections GRDB's per-statement bookkeeping
/// (transaction observers, database regions, schema-cache invalidation after DDL) has nothing to do, yet it
/// plus GRDB's generic argument and row types cost about a twentieth of a read by id (perf under wrk, issue
/// 6). Writes keep going through GRDB, which must see its writer's statements, except a write that binds
/// text with a NUL in it: that is stepped here (no transaction observers are installed, and such a statement
/// neither opens nor ends a transaction nor changes the schema).
enum DirectStatement {
    /// Runs `sql` (from the connection's statement cache) with `arguments` and returns its rows.
    static func rows(_ sql: String, arguments: [SQLValue] = [], on db: Database) throws -> [StoreRow] {
        let statement = try bound(sql, arguments: arguments, on: db)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        var columns: [String] = []
        var columnCount: Int32 = 0
        var rows: [StoreRow] = []
        while true {
            let code = sqlite3_step(handle)
            if rows.isEmpty {
                // Names as of the program that ran: SQLite prepares a statement again when the schema changed
                // since it was prepared (a view's query replaced, say), and GRDB's names are the first program's.
                columns = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0) == 0
                    ? statement.columnNames : currentColumnNames(handle)
                columnCount = Int32(columns.count)
            }
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else { throw error(code, statement, db) }
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for column in 0..<columnCount { values.append(value(of: handle, at: column)) }
            rows.append(StoreRow(columns: columns, values: values))
        }
    }

    /// `sql` from the connection's statement cache, reset, with `arguments` bound (their count checked). The
    /// caller resets it and clears its bindings when done.
    static func bound(_ sql: String, arguments: [SQLValue], on db: Database) throws -> Statement {
        let statement = try db.boundedCachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        guard Int(sqlite3_bind_parameter_count(handle)) == arguments.count else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "wrong number of statement arguments: \(arguments.count)", sql: statement.sql)
        }
        for (offset, value) in arguments.enumerated() {
            let code = bind(value, at: Int32(offset + 1), to: handle)
            if code != SQLITE_OK {
                sqlite3_clear_bindings(handle)
                throw error(code, statement, db)
            }
        }
        return statement
    }

    private static func currentColumnNames(_ handle: OpaquePointer) -> [String] {
        (0..<sqlite3_column_count(handle)).map { sqlite3_column_name(handle, $0).map { String(cString: $0) } ?? "" }
    }

    /// SQLite copies the bytes (`SQLITE_TRANSIENT`), so they need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    private static let empty: StaticString = ""

    static func bind(_ value: SQLValue, at index: Int32, to handle: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let i):
            return sqlite3_bind_int64(handle, index, i)
        case .real(let d):
            return sqlite3_bind_double(handle, index, d)
        case .text(let s):
            return bindText(s, at: index, to: handle)
        case .blob(let bytes):
            if bytes.isEmpty { return sqlite3_bind_zeroblob(handle, index, 0) }
            return bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
        }
    }

    static func bindText(_ text: String, at index: Int32, to handle: OpaquePointer) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            // A null pointer would bind NULL, not the empty string.
            let start = utf8.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(empty.utf8Start)
            return sqlite3_bind_text(
                handle, index, start.assumingMemoryBound(to: CChar.self), Int32(utf8.count), transient)
        }
    }

    static func value(of handle: OpaquePointer, at column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            guard let blob = sqlite3_column_blob(handle, column) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .blob([UInt8](UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    static func error(_ code: Int32, _ statement: Statement, _ db: Database) -> DatabaseError {
        let connection = db.sqliteConnection
        return DatabaseError(
            resultCode: ResultCode(rawValue: connection.map { sqlite3_extended_errcode($0) } ?? code),
            message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
    }
}
