/// Paging and search options of a list request, already parsed from the query string.
public struct RecordListOptions: Sendable {
    public var page: Int
    public var perPage: Int
    public var skipTotal: Bool
    public var sort: String
    public var filter: String
    /// A condition already parsed (or built by a transport, as GraphQL's `where`), ANDed with `filter`. Its
    /// values are operands of the tree, bound when compiled: never filter text.
    package var condition: FilterExpression?
    /// Rows to skip, overriding the one `page` implies (GraphQL's `offset` need not be a multiple of the
    /// page size).
    package var offset: Int?

    public init(page: Int = 1, perPage: Int = 30, skipTotal: Bool = false, sort: String = "", filter: String = "") {
        self.page = page
        self.perPage = perPage
        self.skipTotal = skipTotal
        self.sort = sort
        self.filter = filter
    }
}

/// One page of records. Totals are -1 when the count was skipped.
public struct RecordPage: Sendable {
    public var page: Int
    public var perPage: Int
    public var totalItems: Int
    public var totalPages: Int
    public var items: [RecordModel]
}

extension RecordService {
    /// Lists records: the client filter and the collection's list rule are ANDed into one query; a rule
    /// the requester does not satisfy only hides rows (never 403, except for a `null` rule).
    public func list(in collectionIDOrName: String, options: RecordListOptions, request: RequestInfo) async throws
        -> RecordPage
    {
        let schema = registry.snapshot
        let collection = try Self.collection(collectionIDOrName, in: schema)
        let query = try listQuery(collection, options: options, schema: schema, request: request)
        let paging = Paging(page: options.page, perPage: options.perPage)
        let offset = max(0, options.offset ?? paging.offset)
        let finalQuery = query
        let (rows, total) = try await store.read { conn in
            let rows = try conn.rows(finalQuery.select(limit: paging.perPage, offset: offset))
            let total =
                options.skipTotal
                ? -1 : try conn.count(finalQuery.count(), orScan: finalQuery.scanCount(in: conn.dialect))
            return (rows, total)
        }
        let items = rows.map { RecordRow.record(from: $0, in: collection) }
        return RecordPage(
            page: paging.page, perPage: paging.perPage, totalItems: total, totalPages: paging.totalPages(of: total),
            items: items)
    }

    /// The query of a list request: the client's filter and sort, and the list rule unless the requester is a
    /// superuser (a `null` rule refuses everyone else).
    func listQuery(
        _ collection: CollectionModel, options: RecordListOptions, schema: SchemaSnapshot, request: RequestInfo
    ) throws -> RecordQuery {
        let auth = request.auth
        if collection.listRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .list) }
        var query = RecordQuery(collection)
        try query.addClientTerms(
            filter: options.filter, condition: options.condition, sort: options.sort, schema: schema, request: request)
        if !auth.isSuperuser, let rule = collection.listRule {
            query.add(try RuleCompiler.condition(rule, collection: collection, schema: schema, request: request))
        }
        return query
    }

    /// One record by id; a record the view rule hides is reported as missing (404).
    public func view(in collectionIDOrName: String, id: String, request: RequestInfo) async throws -> RecordModel {
        let (generation, schema) = registry.current
        let collection = try Self.collection(collectionIDOrName, in: schema)
        let auth = request.auth
        if collection.viewRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .view) }
        // Without a rule to decide, the record is the same for every requester: it may come from memory.
        guard auth.isSuperuser || collection.viewRule?.allSatisfy(\.isWhitespace) == true else {
            return try await readView(collection, id: id, schema: schema, request: request)
        }
        switch viewCache.lookup(collectionID: collection.id, id: id, schemaGeneration: generation) {
        case .hit(let record):
            return record
        case .miss(let ticket):
            let record = try await readView(collection, id: id, schema: schema, request: request)
            viewCache.insert(record, schemaGeneration: generation, after: ticket)
            return record
        case .uncached:
            return try await readView(collection, id: id, schema: schema, request: request)
        }
    }

    private func readView(_ collection: CollectionModel, id: String, schema: SchemaSnapshot, request: RequestInfo)
        async throws -> RecordModel
    {
        let auth = request.auth
        var query = RecordQuery(collection)
        query.conditions.append(SQLFragment(unsafeRaw: "\(query.table).\"id\" = ?", arguments: [.text(id)]))
        if !auth.isSuperuser, let rule = collection.viewRule {
            query.add(try RuleCompiler.condition(rule, collection: collection, schema: schema, request: request))
        }
        let finalQuery = query
        let row = try await store.read { conn in try conn.row(finalQuery.select(limit: 1)) }
        guard let row else { throw SwiftbaseError.notFound() }
        return RecordRow.record(from: row, in: collection)
    }
}

extension RecordService {
    /// The first record whose `field` equals `value` (compared case-insensitively, as identity fields are),
    /// with no rule applied: for trusted callers such as the CLI.
    public func first(in collectionIDOrName: String, where field: String, equals value: SQLValue) async throws
        -> RecordModel?
    {
        let collection = try Self.collection(collectionIDOrName, in: registry.snapshot)
        guard collection.field(named: field) != nil else { throw SwiftbaseError.badRequest() }
        let matches = store.dialect.caseInsensitiveEquals(quoteIdentifier(field), "?")
        let query = SQLFragment(
            unsafeRaw: "SELECT * FROM \(quoteIdentifier(collection.name)) WHERE \(matches) LIMIT 1", arguments: [value])
        return try await store.read { conn in try conn.row(query).map { RecordRow.record(from: $0, in: collection) } }
    }
}

extension RecordService {
    /// The record of `collection` whose file `field` holds `filename`, with no rule applied: for serving a
    /// view's file from the record it came from (the caller decides access).
    public func record(in collection: CollectionModel, whoseFile field: FieldModel, holds filename: String)
        async throws -> RecordModel?
    {
        let table = quoteIdentifier(collection.name)
        let column = "\(table).\(quoteIdentifier(field.name))"
        let condition =
            field.isMultiple
            ? "EXISTS (SELECT 1 FROM \(store.dialect.jsonArrayElements(column)) WHERE value = ?)"
            : "\(column) = ?"
        let query = SQLFragment(
            unsafeRaw: "SELECT \(table).* FROM \(table) WHERE \(condition) LIMIT 1", arguments: [.text(filename)])
        return try await store.read { conn in try conn.row(query).map { RecordRow.record(from: $0, in: collection) } }
    }
}
