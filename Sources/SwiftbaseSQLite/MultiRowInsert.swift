internal import GRDB
internal import GRDBSQLite
import SwiftbaseCore

/// Stores many rows with few statement executions: `INSERT INTO t (…) VALUES (?, …), (?, …), …` with
/// `chunkSize` rows per execution, every value bound (never spelt into the text).
///
/// A batch runs full chunks through one cached statement, then the rest through statements for its binary
/// digits (16, 8, 4, 2, 1 rows under a chunk of 32): whatever the batch size, at most log2(`chunkSize`) + 1
/// distinct statements, all prepared once per connection and reused. One execution per row cost SQLite a
/// statement step, a reset and the bindings' bookkeeping per row, and a statement-cache lookup on our side;
/// measured on the `_logs` schema, a row costs about half as much inside a 10–50-row statement.
///
/// A chunk never binds more parameters than the connection's `SQLITE_LIMIT_VARIABLE_NUMBER` allows: it
/// shrinks to the largest power of two that fits.
struct MultiRowInsert: Sendable {
    let columnCount: Int
    /// Rows per execution at most; a power of two.
    let chunkSize: Int
    /// Index k: the statement for 2^k rows.
    private let statements: [String]

    /// `chunkSize` is rounded down to a power of two (at least 1).
    init(table: String, columns: [String], chunkSize: Int) {
        precondition(!columns.isEmpty, "an insert needs columns")
        var size = 1
        while size * 2 <= chunkSize { size *= 2 }
        self.columnCount = columns.count
        self.chunkSize = size
        let columnList = columns.map(quoteIdentifier).joined(separator: ", ")
        let head = "INSERT INTO \(quoteIdentifier(table)) (\(columnList)) VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var statements: [String] = []
        var rows = 1
        while rows <= size {
            statements.append(head + Array(repeating: tuple, count: rows).joined(separator: ", "))
            rows *= 2
        }
        self.statements = statements
    }

    /// The statement text for `rows` rows (a power of two, at most `chunkSize`).
    func sql(rows: Int) -> String {
        precondition(rows > 0 && rows <= chunkSize && rows & (rows - 1) == 0, "not a prepared chunk size")
        return statements[rows.trailingZeroBitCount]
    }

    /// The rows per execution that store `count` rows, in order, with chunks of at most `limit` rows: full
    /// chunks first, then the rest's binary digits from the largest.
    func executions(storing count: Int, limit: Int? = nil) -> [Int] {
        let chunk = Self.powerOfTwo(atMost: min(chunkSize, max(1, limit ?? chunkSize)))
        var sizes = Array(repeating: chunk, count: count / chunk)
        var size = chunk / 2
        let rest = count % chunk
        while size > 0 {
            if rest & size != 0 { sizes.append(size) }
            size /= 2
        }
        return sizes
    }

    /// Inserts `count` rows on `db` (inside the caller's transaction). `bind(row, parameter, handle)` binds the
    /// `columnCount` values of row `row` (0-based, in batch order) from parameter index `parameter` (1-based)
    /// on and answers SQLite's code (`SQLITE_OK`, or the failing bind's). Rows are stored in batch order.
    func run(
        count: Int, on db: Database, bind: (_ row: Int, _ parameter: Int32, _ handle: OpaquePointer) -> Int32
    ) throws {
        guard count > 0 else { return }
        let variableLimit = db.sqliteConnection.map { Int(sqlite3_limit($0, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) }
        var row = 0
        for rows in executions(storing: count, limit: variableLimit.map { $0 / columnCount }) {
            let statement = try db.boundedCachedStatement(sql: sql(rows: rows))
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            // Reset and cleared after each execution: the statement keeps neither a read lock nor copies of the
            // values it stored.
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            for offset in 0..<rows {
                let code = bind(row + offset, Int32(offset * columnCount + 1), handle)
                if code != SQLITE_OK { throw DirectStatement.error(code, statement, db) }
            }
            let code = sqlite3_step(handle)
            if code != SQLITE_DONE { throw DirectStatement.error(code, statement, db) }
            row += rows
        }
    }

    private static func powerOfTwo(atMost value: Int) -> Int {
        var size = 1
        while size * 2 <= value { size *= 2 }
        return size
    }
}
