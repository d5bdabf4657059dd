/// Where a view collection's file column comes from, as PocketBase resolves a view's files: the base or auth
/// collection and field that the view's query reads it from, through views of views (five at most).
package enum ViewFileSource {
    package static func resolve(_ view: CollectionModel, field: String, in snapshot: SchemaSnapshot)
        -> (collection: CollectionModel, field: FieldModel)?
    {
        var view = view
        var field = field
        for _ in 0..<5 {
            guard view.type == .view, let query = view.viewQuery, let parsed = try? ViewQuery(parsing: query),
                let column = parsed.columns.first(where: { $0.alias == field })
            else { return nil }
            guard let (source, sourceField) = parsed.source(of: column, in: snapshot) else { return nil }
            if source.type != .view { return (source, sourceField) }
            view = source
            field = sourceField.name
        }
        return nil
    }
}
