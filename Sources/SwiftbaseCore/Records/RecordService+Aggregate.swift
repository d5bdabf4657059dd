extension RecordService {
    /// Aggregates the records a list request with `options` would select for `request` — the same filter,
    /// the same list rule (a `null` rule refuses everyone but superusers), the same rows: `options.perPage`
    /// and `offset` limit the rows only when `limitRows` is set (GraphQL's `limit` on an aggregate), otherwise
    /// every matching row counts. Values are bound and every field is checked against the schema first.
    public func aggregate(
        in collectionIDOrName: String, _ aggregation: RecordAggregation, options: RecordListOptions,
        limitRows: Bool = false, request: RequestInfo
    ) async throws -> [RecordAggregateGroup] {
        let schema = registry.snapshot
        let collection = try Self.collection(collectionIDOrName, in: schema)
        let superuser = request.auth.isSuperuser
        let keys = try aggregation.groupBy.map {
            try RecordAggregation.check($0, in: collection, for: nil, superuser: superuser)
        }
        let terms: [(RecordAggregation.Term, FieldModel?)] = try aggregation.terms.map { term in
            guard let name = term.field else {
                guard term.function == .count else {
                    throw SwiftbaseError.badRequest("\(term.function.rawValue) needs a field.")
                }
                return (term, nil)
            }
            return (term, try RecordAggregation.check(name, in: collection, for: term.function, superuser: superuser))
        }
        let query = try listQuery(collection, options: options, schema: schema, request: request)
        let rows: (limit: Int, offset: Int)? =
            limitRows ? (max(0, options.perPage), max(0, options.offset ?? 0)) : nil
        let sql = query.aggregate(
            terms: terms.map { ($0.0.function, $0.1?.name) }, groupBy: keys.map(\.name),
            groupLimit: max(0, aggregation.groupLimit), rows: rows)
        let found = try await store.read { conn in try conn.rows(sql) }
        return found.map { row in
            var keyValues: [JSONValue] = []
            for (i, field) in keys.enumerated() {
                keyValues.append(field.options.behavior.jsonValue(row.values[i], for: field))
            }
            var values: [JSONValue] = []
            for (j, (term, field)) in terms.enumerated() {
                let stored = row.values[keys.count + j]
                switch term.function {
                case .count, .countDistinct, .sum, .avg:
                    values.append(stored.doubleValue.map { .number($0) } ?? .null)
                case .min, .max:
                    let value = field.map { stored == .null ? JSONValue.null : $0.options.behavior.jsonValue(stored, for: $0) }
                    values.append(value ?? .null)
                }
            }
            return RecordAggregateGroup(keys: keyValues, values: values)
        }
    }
}

extension RecordQuery {
    /// `SELECT keys…, terms… FROM (the selected rows) GROUP BY keys ORDER BY keys LIMIT ?`: the rows are the
    /// list query's (joins deduplicated), so a relation filter never counts a record twice.
    func aggregate(
        terms: [(RecordAggregation.Function, String?)], groupBy: [String], groupLimit: Int, rows: (limit: Int, offset: Int)?
    ) -> SQLFragment {
        let source = quoteIdentifier("_agg")
        func column(_ name: String) -> String { "\(source).\(quoteIdentifier(name))" }
        var selected = groupBy.map(column)
        for (function, field) in terms {
            let expression: String =
                switch (function, field) {
                case (.count, nil): "COUNT(*)"
                case (.count, let name?): "COUNT(\(column(name)))"
                case (.countDistinct, let name?): "COUNT(DISTINCT \(column(name)))"
                case (.sum, let name?): "SUM(\(column(name)))"
                case (.avg, let name?): "AVG(\(column(name)))"
                case (.min, let name?): "MIN(\(column(name)))"
                case (.max, let name?): "MAX(\(column(name)))"
                default: "NULL"
                }
            selected.append(expression)
        }
        let inner = select(limit: rows?.limit, offset: rows?.offset ?? 0)
        var sql =
            SQLFragment(unsafeRaw: "SELECT \(selected.isEmpty ? "COUNT(*)" : selected.joined(separator: ", ")) FROM (")
            + inner + SQLFragment(unsafeRaw: ") AS \(source)")
        if !groupBy.isEmpty {
            let keys = groupBy.map(column).joined(separator: ", ")
            sql += SQLFragment(
                unsafeRaw: " GROUP BY \(keys) ORDER BY \(keys) LIMIT ?", arguments: [.integer(Int64(groupLimit))])
        }
        return sql
    }
}
