extension RecordService {
    /// Whether the stored `record` satisfies `rule` (a filter expression; `""` matches everything) for the
    /// requester in `request`, evaluated in SQL like every other rule.
    public func matches(_ rule: String, record: RecordModel, collection: CollectionModel, request: RequestInfo)
        async throws -> Bool
    {
        guard let check = try Self.storedRecordCheck(rule, id: record.id, collection: collection, schema: registry.snapshot, request: request)
        else { return true }
        return try await store.read { conn in try conn.row(check) != nil }
    }

    /// A query that finds one row when the stored record `id` satisfies `rule` (nil: `""`, everyone) — the one
    /// shape behind update/delete rules, `matches`, manage rules of stored records and `authRule`.
    static func storedRecordCheck(
        _ rule: String, id: String, collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo
    ) throws -> SQLFragment? {
        guard let compiled = try RuleCompiler.condition(rule, collection: collection, schema: schema, request: request)
        else { return nil }
        var query = RecordQuery(collection)
        query.conditions.append(SQLFragment(unsafeRaw: "\(query.table).\"id\" = ?", arguments: [.text(id)]))
        query.add(compiled)
        return query.exists()
    }
}

// MARK: - manageRule

extension RecordService {
    /// Whether the requester manages `record` of an auth collection: a superuser always does; anyone else only
    /// when the collection has a non-empty `manageRule` that the record satisfies for them. Managers may set
    /// another record's email, verified state and password (without `oldPassword`) and see its email.
    /// For a record not stored yet (`isNew`), the rule is evaluated against the submitted values.
    public func manages(_ record: RecordModel, in collection: CollectionModel, request: RequestInfo, isNew: Bool = false)
        async throws -> Bool
    {
        if request.auth.isSuperuser { return true }
        guard collection.isAuth, let rule = collection.auth?.manageRule, !rule.isEmpty, request.auth.record != nil
        else { return false }
        if !isNew { return try await matches(rule, record: record, collection: collection, request: request) }
        guard
            let check = try Self.newRecordCheck(
                rule, record: record, collection: collection, schema: registry.snapshot, request: request)
        else { return true }
        return try await store.read { conn in try conn.row(check) != nil }
    }

    /// A query that finds one row when a record not stored yet satisfies `rule` (nil: `""`, everyone).
    static func newRecordCheck(
        _ rule: String, record: RecordModel, collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo
    ) throws -> SQLFragment? {
        try candidateCheck(record, collection: collection, schema: schema) { candidate, query in
            query.add(try RuleCompiler.condition(rule, collection: candidate, schema: schema, request: request))
        }
    }

    /// A query that finds one row when `record`, materialised as a one-row CTE, satisfies the conditions
    /// `addConditions` puts on `query` (nil when it puts none). The CTE gets a name of its own — not the
    /// collection's — so joins the conditions need into the real table (`@request.auth.*` of a user of the
    /// same collection, relations back into it) still reach the stored rows. `deleted` are rows a transaction
    /// removed that must stay visible to those joins: each of their tables is shadowed by a CTE of its rows
    /// plus them.
    static func candidateCheck(
        _ record: RecordModel, collection: CollectionModel, schema: SchemaSnapshot, deleted: [RecordModel] = [],
        _ addConditions: (CollectionModel, inout RecordQuery) throws -> Void
    ) throws -> SQLFragment? {
        var candidate = collection
        candidate.name = collection.name + "__sb_new_" + RandomString.make(length: 8, alphabet: RandomString.lowercaseAlphanumeric)
        var query = RecordQuery(candidate)
        try addConditions(candidate, &query)
        guard !query.conditions.isEmpty else { return nil }
        var with = SQLFragment(unsafeRaw: "WITH \(quoteIdentifier(candidate.name)) AS (")
            + RecordRow.asSelect(record, collection: collection) + SQLFragment(unsafeRaw: ")")
        for (collectionID, rows) in Dictionary(grouping: deleted, by: \.collectionId) {
            guard let table = schema.collection(collectionID) else { continue }
            let columns = table.fields.map { quoteIdentifier($0.name) }.joined(separator: ", ")
            with += SQLFragment(unsafeRaw: ", \(quoteIdentifier(table.name)) AS (SELECT \(columns) FROM \(schema.dialect.storedTable(quoteIdentifier(table.name)))")
            for row in rows { with += SQLFragment(unsafeRaw: " UNION ALL ") + RecordRow.asSelect(row, collection: table) }
            with += SQLFragment(unsafeRaw: ")")
        }
        return with + SQLFragment(unsafeRaw: " ") + query.exists()
    }

    /// The ids among `records` that the requester manages (see `manages`), found in one query: whose email
    /// the requester may see whatever `emailVisibility` says.
    public func managedIDs(of records: [RecordModel], in collection: CollectionModel, request: RequestInfo)
        async throws -> Set<String>
    {
        guard !records.isEmpty, collection.isAuth, !request.auth.isSuperuser, request.auth.record != nil,
            let rule = collection.auth?.manageRule, !rule.isEmpty,
            let compiled = try RuleCompiler.condition(rule, collection: collection, schema: registry.snapshot, request: request)
        else { return [] }
        var query = RecordQuery(collection)
        query.conditions.append(RecordExpander.idIn(records.map(\.id), table: collection.name))
        query.add(compiled)
        let select = query.select(limit: nil)
        let rows = try await store.read { conn in try conn.rows(select) }
        return Set(rows.compactMap { $0["id"]?.textValue })
    }
}

// MARK: - Realtime

extension RecordService {
    /// Whether a realtime client may receive `record` (as the change log holds it — for a delete, as it was):
    /// `rule` (`nil`: superusers only) for the client's identity and the topic's options, and then the topic's
    /// own `filter`, which, like any client filter, may not use hidden fields, nor `@request.*` /
    /// `@collection.*` unless the client is a superuser. A filter that does not compile delivers nothing.
    ///
    /// `deleted` are records the same transaction deleted (a cascade): they stay visible to the rule's joins,
    /// so a child whose rule goes through its parent is judged as it was before the delete.
    public func realtimeAllows(
        _ record: RecordModel, in collection: CollectionModel, rule: String?, filter: String, request: RequestInfo,
        deleted: [RecordModel] = []
    ) async throws -> Bool {
        try await realtimeAllows(
            record, in: collection, rule: rule, filter: filter, request: request, deleted: deleted, condition: nil)
    }

    /// `realtimeAllows` with `condition`, a filter tree ANDed with `filter` under the same restrictions: what
    /// GraphQL's subscriptions compile their typed `where` into.
    package func realtimeAllows(
        _ record: RecordModel, in collection: CollectionModel, rule: String?, filter: String, request: RequestInfo,
        deleted: [RecordModel], condition: FilterExpression?
    ) async throws -> Bool {
        if !request.auth.isSuperuser && rule == nil { return false }
        let schema = registry.snapshot
        let check: SQLFragment?
        do {
            check = try Self.candidateCheck(record, collection: collection, schema: schema, deleted: deleted) { candidate, query in
                if !request.auth.isSuperuser, let rule {
                    query.add(try RuleCompiler.condition(rule, collection: candidate, schema: schema, request: request))
                }
                var expressions: [FilterExpression] = []
                if !filter.isEmpty {
                    guard let expression = try FilterParser.parse(filter) else { throw SwiftbaseError.badRequest() }
                    expressions.append(expression)
                }
                if let condition { expressions.append(condition) }
                guard !expressions.isEmpty else { return }
                let expression = FilterExpression.conjunction(expressions)
                var resolver = RecordFieldResolver(
                    schema: schema, collection: candidate, request: request, allowHiddenFields: false,
                    allowRequestAndCollectionReferences: request.auth.isSuperuser)
                query.conditions.append(try FilterCompiler.compile(expression, resolver: &resolver))
            }
        } catch {
            return false  // a filter that does not compile, or names what the client may not, delivers nothing
        }
        guard let check else { return true }
        return try await store.read { conn in try conn.row(check) != nil }
    }
}
