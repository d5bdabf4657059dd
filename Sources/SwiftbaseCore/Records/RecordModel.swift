/// A record of a collection with its canonical field values (see `FieldBehavior`).
public struct RecordModel: Sendable, Equatable {
    public var collectionId: String
    public var collectionName: String
    /// Field name → canonical value. Every field of the collection is present once loaded or prepared.
    public var values: [String: JSONValue]
    /// Expanded relations, already encoded for the requester; nil when the request asked for no expand.
    public var expand: [String: JSONValue]?

    public init(
        collectionId: String, collectionName: String, values: [String: JSONValue],
        expand: [String: JSONValue]? = nil
    ) {
        self.collectionId = collectionId
        self.collectionName = collectionName
        self.values = values
        self.expand = expand
    }

    public var id: String { values["id"]?.stringValue ?? "" }

    public subscript(field: String) -> JSONValue? {
        get { values[field] }
        set { values[field] = newValue }
    }
}
