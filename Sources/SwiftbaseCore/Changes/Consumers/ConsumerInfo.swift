/// A named consumer of the change log as `GET /api/consumers` shows it: its cursor (`committedSeq`, kept by
/// the server) and how far behind the log's head it is.
public struct ConsumerInfo: Sendable, Equatable {
    public var name: String
    /// Collection ids; empty for every collection.
    public var collectionIds: [String]
    /// PocketBase's filter language, evaluated on each change's record; empty for all.
    public var filter: String
    public var committedSeq: Int64
    public var headSeq: Int64
    public var created: String
    public var updated: String

    public var lag: Int64 { max(0, headSeq - committedSeq) }

    /// The JSON the API answers; collections by name where they still exist.
    public func json(schema: SchemaSnapshot) -> JSONValue {
        [
            "name": .string(name),
            "collections": .array(collectionIds.map { .string(schema.collection($0)?.name ?? $0) }),
            "filter": .string(filter), "committedSeq": .number(Double(committedSeq)),
            "headSeq": .number(Double(headSeq)), "lag": .number(Double(lag)), "created": .string(created),
            "updated": .string(updated),
        ]
    }
}
