/// An immutable view of every collection at one moment. Readers take the current snapshot without an
/// actor hop; schema changes build a new snapshot and swap it in atomically.
public struct SchemaSnapshot: Sendable {
    public let collections: [CollectionModel]
    /// The dialect of the store these collections' tables live in: filters, rules and sorts compiled against
    /// this schema are written in it.
    public let dialect: any SQLDialect
    private let byID: [String: Int]
    private let byLowercasedName: [String: Int]

    public init(_ collections: [CollectionModel], dialect: any SQLDialect) {
        self.collections = collections
        self.dialect = dialect
        var byID: [String: Int] = [:]
        var byName: [String: Int] = [:]
        for (i, c) in collections.enumerated() {
            byID[c.id] = i
            byName[c.name.lowercased()] = i
        }
        self.byID = byID
        self.byLowercasedName = byName
    }

    /// A collection by id or (case-insensitive) name, as every `{collection}` path segment is resolved.
    public func collection(_ idOrName: String) -> CollectionModel? {
        if let i = byID[idOrName] { return collections[i] }
        if let i = byLowercasedName[idOrName.lowercased()] { return collections[i] }
        return nil
    }

    /// Collections with a relation field pointing at `collectionID`, with those fields.
    public func references(to collectionID: String) -> [(collection: CollectionModel, field: FieldModel)] {
        var out: [(CollectionModel, FieldModel)] = []
        for c in collections {
            for f in c.fields {
                if case .relation(let r) = f.options, r.collectionId == collectionID { out.append((c, f)) }
            }
        }
        return out
    }
}
