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
