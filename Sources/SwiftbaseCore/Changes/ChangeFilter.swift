/// The filter a durable reader of the change log (a consumer, a webhook) applies to each change's record:
/// PocketBase's filter language, checked when the reader is saved against every collection it reads.
enum ChangeFilter {
    /// Why `filter` cannot be used on `collectionIds`; nil when it can (or is empty).
    static func problem(_ filter: String, collectionIds: [String], schema: SchemaSnapshot) -> ErrorItem? {
        guard !filter.isEmpty else { return nil }
        if collectionIds.isEmpty {
            return ErrorItem("validation_filter_needs_collections", "A filter needs the collections it reads.")
        }
        for id in collectionIds {
            guard let collection = schema.collection(id) else { continue }
            do {
                _ = try RuleCompiler.condition(filter, collection: collection, schema: schema, request: RequestInfo(auth: .system))
            } catch {
                return ErrorItem("validation_invalid_filter", "Invalid filter for \(collection.name).")
            }
        }
        return nil
    }
}
