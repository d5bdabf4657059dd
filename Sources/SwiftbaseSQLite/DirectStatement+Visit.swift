internal import GRDB
internal import GRDBSQLite
import SwiftbaseCore

extension DirectStatement {
    /// Runs `sql` (from the connection's statement cache) with `arguments` and hands each result row's raw
    /// statement to `visit`, which reads the columns it needs with `sqlite3_column_*`: no `StoreRow` per row, for
    /// reads of many small rows (a query's rollup cells).
    static func visitRows(
        _ sql: String, arguments: [SQLValue], on db: Database, _ visit: (OpaquePointer) throws -> Void
    ) throws {
        let statement = try bound(sql, arguments: arguments, on: db)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code, statement, db) }
            try visit(handle)
        }
    }

    /// Column `column` of the current row as text (`""` for NULL), read with its byte length.
    static func text(of handle: OpaquePointer, at column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}
