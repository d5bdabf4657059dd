extension RecordService {
    /// Whether the stored `record` satisfies `rule` (a filter expression; `""` matches everything) for the
    /// requester in `request`, evaluated in SQL like every other rule.
    public func matches(_ rule: String, record: RecordModel, collection: CollectionModel, request: RequestInfo)
        async throws -> Bool
    {
        let schema = registry.snapshot
        guard let compiled = try RuleCompiler.condition(rule, collection: collection, schema: schema, request: request)
        else { return true }
        var query = RecordQuery(collection)
        query.conditions.append(SQLFragment(unsafeRaw: "\(query.table).\"id\" = ?", arguments: [.text(record.id)]))
        query.add(compiled)
        let check = query.exists()
        return try await store.read { conn in try conn.row(check) != nil }
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

    /// A query that finds one row when a record not stored yet satisfies `rule` (nil: `""`, everyone). The
    /// record is materialised as a one-row CTE under a name of its own — not the collection's, so that joins
    /// the rule needs into the real table (`@request.auth.*` of a user of the same collection, relations
    /// back into it) still reach the stored rows — and the rule is compiled against that name.
    static func newRecordCheck(
        _ rule: String, record: RecordModel, collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo
    ) throws -> SQLFragment? {
        var candidate = collection
        candidate.name = collection.name + "__sb_new_" + RandomString.make(length: 8, alphabet: RandomString.lowercaseAlphanumeric)
        guard let compiled = try RuleCompiler.condition(rule, collection: candidate, schema: schema, request: request)
        else { return nil }
        var query = RecordQuery(candidate)
        query.add(compiled)
        return SQLFragment(unsafeRaw: "WITH \(quoteIdentifier(candidate.name)) AS (")
            + RecordRow.asSelect(record, collection: collection) + SQLFragment(unsafeRaw: ") ") + query.exists()
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
        let schema = registry.snapshot
        var candidate = collection
        candidate.name = collection.name + "__sb_rt_" + RandomString.make(length: 8, alphabet: RandomString.lowercaseAlphanumeric)
        var query = RecordQuery(candidate)
        if !request.auth.isSuperuser {
            guard let rule else { return false }
            query.add(try RuleCompiler.condition(rule, collection: candidate, schema: schema, request: request))
        }
        if !filter.isEmpty {
            do {
                guard let expression = try FilterParser.parse(filter) else { return false }
                var resolver = RecordFieldResolver(
                    schema: schema, collection: candidate, request: request, allowHiddenFields: false,
                    allowRequestAndCollectionReferences: request.auth.isSuperuser)
                query.conditions.append(try FilterCompiler.compile(expression, resolver: &resolver))
            } catch {
                return false
            }
        }
        guard !query.conditions.isEmpty else { return true }
        var with = SQLFragment(unsafeRaw: "WITH \(quoteIdentifier(candidate.name)) AS (")
            + RecordRow.asSelect(record, collection: collection) + SQLFragment(unsafeRaw: ")")
        // Each table that lost rows in the transaction is seen as it was: its rows plus those deleted.
        for (collectionID, rows) in Dictionary(grouping: deleted, by: \.collectionId) {
            guard let table = schema.collection(collectionID) else { continue }
            let columns = table.fields.map { quoteIdentifier($0.name) }.joined(separator: ", ")
            var union = SQLFragment(unsafeRaw: ", \(quoteIdentifier(table.name)) AS (SELECT \(columns) FROM main.\(quoteIdentifier(table.name))")
            for row in rows {
                union += SQLFragment(unsafeRaw: " UNION ALL ") + RecordRow.asSelect(row, collection: table)
            }
            with += union + SQLFragment(unsafeRaw: ")")
        }
        let check = with + SQLFragment(unsafeRaw: " ") + query.exists()
        return try await store.read { conn in try conn.row(check) != nil }
    }
}
