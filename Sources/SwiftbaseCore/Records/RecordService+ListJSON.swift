extension RecordService {
    /// The records `list(in:options:request:)` answers, as one JSON array of `projection`'s objects built by
    /// the database in one statement (related records nested, each related collection's view rule applied as
    /// `expand` applies it), with the bytes Swiftbase's own JSON writer would write.
    ///
    /// Answers nil, having changed nothing, when the answer could differ from presenting the listed records
    /// with `RecordPresenter` and `expand` — the caller then takes that path: a projection the statement
    /// cannot express (see `RecordProjectionCompiler`), an auth collection's email where a manage rule may
    /// show it, a value the database cannot print as Swiftbase does (a non-integral number), or more
    /// back-related records than the expander loads in one level (1000). Throws what `list` throws (a `null`
    /// rule, an invalid filter).
    package func listJSON(
        in collectionIDOrName: String, options: RecordListOptions, request: RequestInfo, projection: RecordProjection
    ) async throws -> [UInt8]? {
        let schema = registry.snapshot
        let collection = try Self.collection(collectionIDOrName, in: schema)
        let query = try listQuery(collection, options: options, schema: schema, request: request)
        if collection.isAuth, !request.auth.isSuperuser, request.auth.record != nil,
            let manageRule = collection.auth?.manageRule, !manageRule.isEmpty,
            projection.members.contains(where: { if case .email = $0 { true } else { false } })
        {
            return nil
        }
        var compiler = RecordProjectionCompiler(
            expander: RecordExpander(store: store, schema: schema, request: request))
        guard let object = try compiler.object(projection, of: collection, path: [collection.name], isRoot: true)
        else { return nil }
        let dialect = schema.dialect
        let paging = Paging(page: options.page, perPage: options.perPage)
        let offset = max(0, options.offset ?? paging.offset)
        // The page's rows come out of a subquery named as the collection's table, in order, and each row's
        // object is built by the aggregate over them: built once, never JSON text read again.
        var statement = SQLFragment(unsafeRaw: "SELECT ") + dialect.jsonArrayAggregate(of: object)
        for count in compiler.backRelationCounts {
            statement += SQLFragment(unsafeRaw: ", COALESCE(SUM(") + count + SQLFragment(unsafeRaw: "), 0)")
        }
        statement +=
            SQLFragment(unsafeRaw: " FROM (") + query.select(limit: paging.perPage, offset: offset)
            + SQLFragment(unsafeRaw: ") AS \(quoteIdentifier(collection.name))")
        let finalStatement = statement
        guard let row = try await store.read({ conn in try conn.row(finalStatement) }),
            case .text(let json)? = row.values.first
        else { return nil }
        for count in row.values.dropFirst() where (count.int64Value ?? 0) > Int64(RecordExpander.maxBackRelations) {
            return nil
        }
        return DatabaseJSONText.finished(json, marker: dialect.jsonUnrenderableMarker)
    }
}
