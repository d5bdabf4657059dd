/// A SELECT over one collection's table built from conditions (filter, rule, id), joins the resolver
/// asked for, sort terms and a page. Every value is bound.
struct RecordQuery {
    let collection: CollectionModel
    var conditions: [SQLFragment] = []
    var joins: [SQLFragment] = []
    var distinct = false
    var orderBy: [SQLFragment] = []

    init(_ collection: CollectionModel) {
        self.collection = collection
    }

    var table: String { quoteIdentifier(collection.name) }

    mutating func add(_ compiled: (condition: SQLFragment, joins: [SQLFragment], distinct: Bool)?) {
        guard let compiled else { return }
        conditions.append(compiled.condition)
        for join in compiled.joins where !joins.contains(join) { joins.append(join) }
        distinct = distinct || compiled.distinct
    }

    private var fromAndWhere: SQLFragment { from(table) }

    /// `FROM source`, the joins and the conditions; `source` is the table as a `FROM` item.
    private func from(_ source: String) -> SQLFragment {
        var sql = SQLFragment(unsafeRaw: " FROM \(source)")
        for join in joins { sql += SQLFragment(unsafeRaw: " ") + join }
        if !conditions.isEmpty {
            sql += SQLFragment(unsafeRaw: " WHERE ")
            sql += SQLFragment.join(conditions.map { SQLFragment(unsafeRaw: "(") + $0 + SQLFragment(unsafeRaw: ")") }, separator: " AND ")
        }
        return sql
    }

    func select(limit: Int?, offset: Int = 0) -> SQLFragment {
        select(SQLFragment(unsafeRaw: "\(table).*"), limit: limit, offset: offset)
    }

    /// The same rows, in the same order, answering `columns` instead of the whole row.
    func select(_ columns: SQLFragment, limit: Int?, offset: Int = 0) -> SQLFragment {
        var sql = SQLFragment(unsafeRaw: "SELECT ") + columns + fromAndWhere
        if distinct { sql += SQLFragment(unsafeRaw: " GROUP BY \(table).\"id\"") }
        if !orderBy.isEmpty {
            sql += SQLFragment(unsafeRaw: " ORDER BY ") + SQLFragment.join(orderBy, separator: ", ")
        }
        if let limit {
            sql += SQLFragment(unsafeRaw: " LIMIT ? OFFSET ?", arguments: [.integer(Int64(limit)), .integer(Int64(offset))])
        }
        return sql
    }

    /// The count of the rows the query matches.
    func count() -> SQLFragment {
        SQLFragment(unsafeRaw: "SELECT \(countExpression)") + fromAndWhere
    }

    /// The same count with the main table read in order, through no index (see
    /// `StoreConnection.count(_:orScan:)`).
    func scanCount(in dialect: any SQLDialect) -> SQLFragment {
        SQLFragment(unsafeRaw: "SELECT \(countExpression)") + from(dialect.unindexedTable(table))
    }

    private var countExpression: String { distinct ? "COUNT(DISTINCT \(table).\"id\")" : "COUNT(*)" }

    func exists() -> SQLFragment {
        SQLFragment(unsafeRaw: "SELECT 1") + fromAndWhere + SQLFragment(unsafeRaw: " LIMIT 1")
    }
}
