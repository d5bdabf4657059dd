internal import GRDB
internal import GRDBSQLite
import SwiftbaseCore

/// The time-series tables on SQLite. Raw points live in the collection's own table, with an index on its time
/// field. Each rollup level has a `WITHOUT ROWID` table keyed by (bucket start, tag set):
///
/// ```
/// "_ts_<collectionId>_1m" (":bucket" INTEGER, ":tags" TEXT, <one TEXT column per tag, named as the tag>,
///                          ":count" INTEGER, ":lastTime" INTEGER,
///                          "<value>:sum" REAL, "<value>:min" REAL, "<value>:max" REAL, "<value>:last" REAL …)
/// ```
///
/// `:tags` is the tag values as a JSON array (the key); the tag columns repeat them so filters compiled over the
/// collection run on the rollup table seen under the collection's name. Field names are words, so the `:`
/// column names cannot clash with them.
struct SQLiteTimeSeriesStorage: TimeSeriesStorage {
    let db: Database

    func prepare(_ layout: TimeSeriesLayout) throws {
        for level in RollupLevel.allCases {
            var columns = [#"":bucket" INTEGER NOT NULL"#, #"":tags" TEXT NOT NULL"#]
            columns += layout.tags.map { "\(quoteIdentifier($0)) TEXT NOT NULL DEFAULT ''" }
            columns += [#"":count" INTEGER NOT NULL"#, #"":lastTime" INTEGER NOT NULL"#]
            for value in layout.values {
                columns += ["sum", "min", "max", "last"].map { "\(quoteIdentifier(value + ":" + $0)) REAL NOT NULL" }
            }
            columns.append(#"PRIMARY KEY (":bucket", ":tags")"#)
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS \(quoteIdentifier(layout.rollupTable(level))) (\(columns.joined(separator: ", "))) WITHOUT ROWID")
        }
        try db.execute(
            sql: "CREATE INDEX IF NOT EXISTS \(Self.timeIndex(layout)) ON \(quoteIdentifier(layout.table)) (\(quoteIdentifier(layout.timeField)))")
    }

    func dropTimeIndex(of layout: TimeSeriesLayout) throws {
        try db.execute(sql: "DROP INDEX IF EXISTS \(Self.timeIndex(layout))")
    }

    private static func timeIndex(_ layout: TimeSeriesLayout) -> String {
        quoteIdentifier("_ts_\(layout.collectionId)_time")
    }

    func dropRollups(collectionId: String) throws {
        for level in RollupLevel.allCases {
            try db.execute(sql: "DROP TABLE IF EXISTS \(quoteIdentifier("_ts_\(collectionId)_\(level.name)"))")
        }
    }

    func insert(_ points: PointColumns, into table: String) throws {
        let names = points.fieldNames.map(quoteIdentifier).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: points.fieldNames.count).joined(separator: ", ")
        try DirectStatement.insertEach(
            "INSERT INTO \(quoteIdentifier(table)) (\(names)) VALUES (\(placeholders))", points: points, on: db)
    }

    func merge(_ cells: [RollupKey: RollupCell], level: RollupLevel, layout: TimeSeriesLayout) throws {
        guard !cells.isEmpty else { return }
        var sql = insertSQL(level, layout)
        var sets = [#"":count" = ":count" + excluded.":count""#]
        for value in layout.values {
            let (sum, min, max, last) = (
                quoteIdentifier(value + ":sum"), quoteIdentifier(value + ":min"), quoteIdentifier(value + ":max"),
                quoteIdentifier(value + ":last")
            )
            sets += [
                "\(sum) = \(sum) + excluded.\(sum)", "\(min) = min(\(min), excluded.\(min))",
                "\(max) = max(\(max), excluded.\(max))",
                #"\#(last) = CASE WHEN excluded.":lastTime" >= ":lastTime" THEN excluded.\#(last) ELSE \#(last) END"#,
            ]
        }
        // SET expressions all read the row as it was, so ":lastTime" is compared before it moves.
        sets.append(#"":lastTime" = max(":lastTime", excluded.":lastTime")"#)
        sql += #" ON CONFLICT(":bucket", ":tags") DO UPDATE SET "# + sets.joined(separator: ", ")
        try DirectStatement.executeEach(sql, rows: cells.map { row($0.key, $0.value) }, on: db)
    }

    func replace(_ key: RollupKey, with cell: RollupCell?, level: RollupLevel, layout: TimeSeriesLayout) throws {
        try db.execute(
            sql: #"DELETE FROM \#(quoteIdentifier(layout.rollupTable(level))) WHERE ":bucket" = ? AND ":tags" = ?"#,
            arguments: [key.bucket, Self.tagKey(key.tags)])
        if let cell { try DirectStatement.executeEach(insertSQL(level, layout), rows: [row(key, cell)], on: db) }
    }

    func points(of layout: TimeSeriesLayout, from: Int64, to: Int64, tags: [String]?, where filter: TimeSeriesFilter?)
        throws -> [TimeSeriesPoint]
    {
        let table = quoteIdentifier(layout.table)
        let time = "\(table).\(quoteIdentifier(layout.timeField))"
        let columns = ([layout.timeField] + layout.tags + layout.values).map { "\(table).\(quoteIdentifier($0))" }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table)"
        var arguments: [SQLValue] = []
        for join in filter?.joins ?? [] {
            sql += " " + join.sql
            arguments += join.arguments
        }
        var conditions = ["\(time) != ''"]
        if from != .min {
            conditions.append("\(time) >= ?")
            arguments.append(.text(TimeSeriesClock.text(from)))
        }
        if to != .max {
            conditions.append("\(time) < ?")
            arguments.append(.text(TimeSeriesClock.text(to)))
        }
        for (name, value) in zip(layout.tags, tags ?? []) {
            conditions.append("\(table).\(quoteIdentifier(name)) = ?")
            arguments.append(.text(value))
        }
        for condition in filter?.conditions ?? [] {
            conditions.append("(" + condition.sql + ")")
            arguments += condition.arguments
        }
        sql += " WHERE " + conditions.joined(separator: " AND ")
        let tagCount = layout.tags.count
        return try DirectStatement.rows(sql, arguments: arguments, on: db).compactMap { row in
            guard let text = row.values[0].textValue, let ms = TimeSeriesClock.milliseconds(text) else { return nil }
            return TimeSeriesPoint(
                time: ms, tags: row.values[1..<(1 + tagCount)].map { $0.textValue ?? "" },
                values: row.values[(1 + tagCount)...].map { Self.double($0) })
        }
    }

    func cells(
        of layout: TimeSeriesLayout, level: RollupLevel, from: Int64, to: Int64, tags: [String],
        where filter: TimeSeriesFilter?
    ) throws -> RollupRows {
        let alias = quoteIdentifier(layout.table)
        var columns = [#"":bucket""#, #"":count""#, #"":lastTime""#] + tags.map { "\(alias).\(quoteIdentifier($0))" }
        for value in layout.values { columns += ["sum", "min", "max", "last"].map { quoteIdentifier(value + ":" + $0) } }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layout.rollupTable(level))) AS \(alias)"
        var arguments: [SQLValue] = []
        for join in filter?.joins ?? [] {
            sql += " " + join.sql
            arguments += join.arguments
        }
        sql += #" WHERE ":bucket" >= ? AND ":bucket" < ?"#
        arguments += [.integer(from), .integer(to)]
        for condition in filter?.conditions ?? [] {
            sql += " AND (" + condition.sql + ")"
            arguments += condition.arguments
        }
        var rows = RollupRows(tagNames: tags, valueCount: layout.values.count)
        let tagCount = Int32(tags.count)
        let statCount = Int32(4 * layout.values.count)
        try DirectStatement.visitRows(sql, arguments: arguments, on: db) { handle in
            rows.beginRow(
                bucket: sqlite3_column_int64(handle, 0), count: sqlite3_column_int64(handle, 1),
                lastTime: sqlite3_column_int64(handle, 2))
            for tag in 0..<tagCount { rows.appendTag(DirectStatement.text(of: handle, at: 3 + tag), at: Int(tag)) }
            // REAL columns; sqlite3_column_double converts an integer (or NULL, as 0) the way `double` below does.
            for stat in 0..<statCount { rows.appendStat(sqlite3_column_double(handle, 3 + tagCount + stat)) }
        }
        return rows
    }

    func pruneRaw(of layout: TimeSeriesLayout, before: Int64, limit: Int) throws -> Int {
        let table = quoteIdentifier(layout.table)
        let time = quoteIdentifier(layout.timeField)
        try db.execute(
            sql: "DELETE FROM \(table) WHERE \"id\" IN (SELECT \"id\" FROM \(table) WHERE \(time) != '' AND \(time) < ? LIMIT ?)",
            arguments: [TimeSeriesClock.text(before), limit])
        return db.changesCount
    }

    func pruneRollups(of layout: TimeSeriesLayout, level: RollupLevel, before: Int64, limit: Int) throws -> Int {
        let table = quoteIdentifier(layout.rollupTable(level))
        try db.execute(
            sql: #"DELETE FROM \#(table) WHERE (":bucket", ":tags") IN (SELECT ":bucket", ":tags" FROM \#(table) WHERE ":bucket" < ? LIMIT ?)"#,
            arguments: [before, limit])
        return db.changesCount
    }

    // MARK: - Helpers

    private func insertSQL(_ level: RollupLevel, _ layout: TimeSeriesLayout) -> String {
        var columns = [#"":bucket""#, #"":tags""#] + layout.tags.map(quoteIdentifier) + [#"":count""#, #"":lastTime""#]
        for value in layout.values { columns += ["sum", "min", "max", "last"].map { quoteIdentifier(value + ":" + $0) } }
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO \(quoteIdentifier(layout.rollupTable(level))) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
    }

    private func row(_ key: RollupKey, _ cell: RollupCell) -> [SQLValue] {
        var values: [SQLValue] = [.integer(key.bucket), .text(Self.tagKey(key.tags))]
        values += key.tags.map { .text($0) }
        values += [.integer(cell.count), .integer(cell.lastTime)]
        for i in cell.sums.indices {
            values += [.real(cell.sums[i]), .real(cell.mins[i]), .real(cell.maxs[i]), .real(cell.lasts[i])]
        }
        return values
    }

    /// The tag values as a JSON array of strings: the key of a tag set.
    static func tagKey(_ tags: [String]) -> String {
        JSONValue.array(tags.map { .string($0) }).jsonString
    }

    private static func double(_ value: SQLValue) -> Double {
        switch value {
        case .real(let d): d
        case .integer(let i): Double(i)
        default: 0
        }
    }
}
