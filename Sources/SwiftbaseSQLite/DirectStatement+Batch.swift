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

extension DirectStatement {
    /// Runs the cached statement `sql` once per point of `points`, binding each column straight from its typed
    /// array (text without copying it into an `SQLValue` first). Failures as `executeEach(_:rows:on:)`.
    static func insertEach(_ sql: String, points: PointColumns, on db: Database) throws {
        let statement = try db.boundedCachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let fields = points.fieldNames.indices
        for row in 0..<points.count {
            sqlite3_reset(handle)
            for field in fields {
                let index = Int32(field + 1)
                let code: Int32
                if points.isNumber[field] {
                    code = bind(points.sqlValue(field: field, row: row), at: index, to: handle)
                } else {
                    code = bindText(points.texts[field][row], at: index, to: handle)
                }
                if code != SQLITE_OK {
                    throw TimeSeriesRowFailure(index: row, error: SQLiteStore.translate(error(code, statement, db)))
                }
            }
            let code = sqlite3_step(handle)
            if code != SQLITE_DONE {
                throw TimeSeriesRowFailure(index: row, error: SQLiteStore.translate(error(code, statement, db)))
            }
        }
    }
}
