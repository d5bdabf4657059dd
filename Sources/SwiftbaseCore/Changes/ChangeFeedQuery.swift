/// Which part of the change log a reader asks for: entries after a cursor, of some collections (ids; nil
/// for all) and actions (nil for all), a page at a time.
public struct ChangeFeedQuery: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maxLimit = 1_000

    public var after: Int64
    public var collectionIds: Set<String>?
    public var actions: Set<ChangeLogEntry.Action>?
    public var limit: Int

    public init(
        after: Int64 = 0, collectionIds: Set<String>? = nil, actions: Set<ChangeLogEntry.Action>? = nil,
        limit: Int = ChangeFeedQuery.defaultLimit
    ) {
        self.after = after
        self.collectionIds = collectionIds
        self.actions = actions
        self.limit = limit
    }

    /// The query a requester may run: superusers read every collection (or those they name); an API key reads
    /// the collections its scopes grant the `changes` action, and naming another one is refused; anyone
    /// else is refused. `collections` are names or ids; an unknown one is a 400.
    public static func authorized(
        for auth: AuthContext, collections: [String]?, schema: SchemaSnapshot
    ) throws -> Set<String>? {
        var named: Set<String>?
        if let collections {
            var ids: Set<String> = []
            for name in collections {
                guard let collection = schema.collection(name) else {
                    throw SwiftbaseError.badRequest(
                        "Unknown collection.", data: .items(["collections": ErrorItem("validation_unknown_collection", "Unknown collection \(name).")]))
                }
                ids.insert(collection.id)
            }
            named = ids
        }
        if auth.isSuperuser && auth.apiKey == nil { return named }
        guard case .apiKey(let grant) = auth.identity else {
            throw SwiftbaseError.forbidden("Only superusers and API keys granted the changes action can read the change feed.")
        }
        let granted = Set(schema.collections.filter { grant.allows(.changes, on: $0) }.map(\.id))
        if let named {
            guard named.isSubset(of: granted) else {
                throw SwiftbaseError.forbidden("The API key is not allowed to read the changes of these collections.")
                    .audited("apikey.denied", target: "changes")
            }
            return named
        }
        guard !granted.isEmpty else {
            throw SwiftbaseError.forbidden("The API key is not allowed to read the changes of any collection.")
                .audited("apikey.denied", target: "changes")
        }
        return granted
    }
}
