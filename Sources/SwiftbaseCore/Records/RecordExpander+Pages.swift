extension RecordExpander {
    /// Each parent's page of the records of `source` whose relation `field` points to it (see `ExpandSlice`),
    /// encoded for the requester, with `tree`'s nested relations loaded. One query for all the parents: the
    /// matching records — the view rule and the slice's filter applied — ranked per parent by a window over the
    /// slice's order, and only each parent's ranks `offset + 1 … offset + limit` read.
    func loadPages(
        of source: CollectionModel, via field: FieldModel, parents: [String], slice: ExpandSlice, tree: ExpandTree
    ) async throws -> [String: [JSONValue]] {
        guard mayRead(source), !parents.isEmpty else { return [:] }
        let dialect = schema.dialect
        let table = quoteIdentifier(source.name)
        let column = "\(table).\(quoteIdentifier(field.name))"
        var query = RecordQuery(source)
        let parent: String
        if field.isMultiple {
            // One row per (record, parent it points to): a record pointing to two parents ranks under each.
            query.joins.append(
                SQLFragment(unsafeRaw: "CROSS JOIN \(dialect.jsonArrayElements(column)) AS \"__sb_parent\""))
            parent = "\"__sb_parent\".value"
        } else {
            parent = column
        }
        query.conditions.append(
            SQLFragment(unsafeRaw: "\(parent) IN (") + Self.placeholders(parents) + SQLFragment(unsafeRaw: ")"))
        try query.addClientTerms(
            filter: slice.filter, condition: slice.condition, sort: slice.sort, schema: schema, request: request)
        if !request.auth.isSuperuser, let rule = source.viewRule {
            query.add(try RuleCompiler.condition(rule, collection: source, schema: schema, request: request))
        }
        let statement = query.selectRanked(
            partition: parent, tieBreak: "\(table).\(dialect.rowOrderColumn)", limit: slice.limit,
            offset: slice.offset, cap: slice.limit == nil ? Self.maxBackRelations : nil)
        let rows = try await store.read { conn in try conn.rows(statement) }

        var order: [(parent: String, id: String)] = []
        var unique: [RecordModel] = []
        var seen: Set<String> = []
        for row in rows {
            guard let group = row[RecordQuery.partitionColumn]?.textValue else { continue }
            let record = RecordRow.record(from: row, in: source)
            order.append((group, record.id))
            if seen.insert(record.id).inserted { unique.append(record) }
        }
        let expanded = try await expand(unique, of: source, tree: tree)
        var encoded: [String: JSONValue] = [:]
        for record in expanded {
            encoded[record.id] = RecordEncoder.json(record, collection: source, auth: request.auth)
        }
        var pages: [String: [JSONValue]] = [:]
        for (group, id) in order {
            if let json = encoded[id] { pages[group, default: []].append(json) }
        }
        return pages
    }
}
