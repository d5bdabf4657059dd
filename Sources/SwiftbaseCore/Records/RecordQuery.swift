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

    /// The column `selectRanked` answers each row's partition in.
    static let partitionColumn = "__sb_partition"

    /// Pages of the rows per partition: the rows are split by the value of `partition` (an expression over the
    /// query's tables), ranked within each in the query's order (`tieBreak` last), and the ranks
    /// `offset + 1 … offset + limit` of each answered, the partition's value in `partitionColumn`, ordered by
    /// partition then rank. `cap` bounds the rows of all partitions together.
    func selectRanked(partition: String, tieBreak: String, limit: Int?, offset: Int, cap: Int?) -> SQLFragment {
        let order = SQLFragment.join(orderBy + [SQLFragment(unsafeRaw: tieBreak)], separator: ", ")
        var ranked =
            SQLFragment(
                unsafeRaw:
                    "SELECT \(table).*, \(partition) AS \"\(Self.partitionColumn)\", ROW_NUMBER() OVER (PARTITION BY \(partition) ORDER BY ")
            + order + SQLFragment(unsafeRaw: ") AS \"__sb_rank\"") + fromAndWhere
        if distinct { ranked += SQLFragment(unsafeRaw: " GROUP BY \(table).\"id\", \(partition)") }
        var sql =
            SQLFragment(unsafeRaw: "SELECT * FROM (") + ranked
            + SQLFragment(
                unsafeRaw: ") AS \"__sb_ranked\" WHERE \"__sb_rank\" > ?", arguments: [.integer(Int64(offset))])
        if let limit {
            sql += SQLFragment(unsafeRaw: " AND \"__sb_rank\" <= ?", arguments: [.integer(Int64(offset) + Int64(limit))])
        }
        sql += SQLFragment(unsafeRaw: " ORDER BY \"\(Self.partitionColumn)\", \"__sb_rank\"")
        if let cap { sql += SQLFragment(unsafeRaw: " LIMIT ?", arguments: [.integer(Int64(cap))]) }
        return sql
    }

    /// Adds a client's terms as a list compiles them for `request`: the filter text and an already parsed
    /// condition, ANDed, and the sort, with the joins they need (hidden fields, `@request` and `@collection`
    /// for superusers only).
    mutating func addClientTerms(
        filter: String, condition: FilterExpression?, sort: String, schema: SchemaSnapshot, request: RequestInfo
    ) throws {
        let auth = request.auth
        var resolver = RecordFieldResolver(
            schema: schema, collection: collection, request: request, allowHiddenFields: auth.isSuperuser,
            allowRequestAndCollectionReferences: auth.isSuperuser)
        let conditions = [try FilterParser.parse(filter), condition].compactMap { $0 }
        if !conditions.isEmpty {
            self.conditions.append(try FilterCompiler.compile(.conjunction(conditions), resolver: &resolver))
        }
        if !sort.isEmpty {
            orderBy = try SortCompiler.compile(sort, resolver: &resolver)
        }
        add((SQLFragment(unsafeRaw: "1"), resolver.joins, resolver.needsDistinct))
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
