/// A page of collections.
public struct CollectionPage: Sendable {
    public var page: Int
    public var perPage: Int
    public var totalItems: Int
    public var totalPages: Int
    public var items: [CollectionModel]
}

extension CollectionService {
    /// The `_collections` table described as a collection, so `filter` and `sort` on collections use the
    /// same filter language and compiler as records. Only `id, created, updated, name, system, type`.
    static let collectionsTable = CollectionModel(
        id: "_collections", name: "_collections", system: true,
        fields: [
            FieldModel(id: "id", name: "id", options: .text(TextFieldOptions())),
            FieldModel(id: "name", name: "name", options: .text(TextFieldOptions())),
            FieldModel(id: "type", name: "type", options: .text(TextFieldOptions())),
            FieldModel(id: "system", name: "system", options: .bool(BoolFieldOptions())),
            FieldModel(id: "created", name: "created", options: .text(TextFieldOptions())),
            FieldModel(id: "updated", name: "updated", options: .text(TextFieldOptions())),
        ])

    public func list(options: RecordListOptions) async throws -> CollectionPage {
        let table = Self.collectionsTable
        var query = RecordQuery(table)
        var resolver = RecordFieldResolver(
            schema: SchemaSnapshot([table], dialect: store.dialect), collection: table, request: nil,
            allowHiddenFields: true, allowRequestAndCollectionReferences: false)
        if let expression = try FilterParser.parse(options.filter) {
            query.conditions.append(try FilterCompiler.compile(expression, resolver: &resolver))
        }
        if !options.sort.isEmpty { query.orderBy = try SortCompiler.compile(options.sort, resolver: &resolver) }
        query.add((SQLFragment(unsafeRaw: "1"), resolver.joins, resolver.needsDistinct))
        let paging = Paging(page: options.page, perPage: options.perPage)
        let finalQuery = query
        let (items, total) = try await store.read { conn in
            let rows = try conn.rows(finalQuery.select(limit: paging.perPage, offset: paging.offset))
            let total = options.skipTotal ? -1 : Int(try conn.scalar(finalQuery.count())?.int64Value ?? 0)
            return (rows.compactMap { $0["id"]?.textValue }, total)
        }
        let snapshot = registry.snapshot
        let collections = items.compactMap { snapshot.collection($0) }
        return CollectionPage(
            page: paging.page, perPage: paging.perPage, totalItems: total, totalPages: paging.totalPages(of: total),
            items: collections)
    }
}
