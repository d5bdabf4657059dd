internal import GRDB
internal import GRDBSQLite
import SwiftbaseCore

extension DirectStatement {
    /// Runs the cached statement `sql` once per row of `rows`, binding straight through SQLite's C API (a
    /// batch insert of points: no per-row `StatementArguments`). A failing row throws `TimeSeriesRowFailure` with
    /// its index and the translated store error. Used for plain inserts inside a write transaction only (see the
    /// type's note on writes stepped here).
    static func executeEach(_ sql: String, rows: [[SQLValue]], on db: Database) throws {
        let statement = try db.boundedCachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (index, row) in rows.enumerated() {
            sqlite3_reset(handle)
            for (offset, value) in row.enumerated() {
                let code = bind(value, at: Int32(offset + 1), to: handle)
                if code != SQLITE_OK {
                    throw TimeSeriesRowFailure(index: index, error: SQLiteStore.translate(error(code, statement, db)))
                }
            }
            let code = sqlite3_step(handle)
            if code != SQLITE_DONE {
                throw TimeSeriesRowFailure(index: index, error: SQLiteStore.translate(error(code, statement, db)))
            }
        }
    }
}
