/// A webhook as stored in `_webhooks`: where matching changes are POSTed, which changes match, the secret
/// they are signed with and the cursor delivery has reached. `cursor` is durable: every change at or
/// before it has been delivered, marked failed, or handed to a pending delivery.
public struct Webhook: Sendable, Equatable {
    public var id: String
    public var name: String
    public var url: String
    /// Collection ids; empty for every collection.
    public var collectionIds: [String]
    public var actions: [ChangeLogEntry.Action]
    /// PocketBase's filter language, evaluated on each change's record; empty for all.
    public var filter: String
    public var enabled: Bool
    /// Extra request headers, sent with every delivery.
    public var headers: [String: String]
    /// `whsec_…`; answered only on creation and rotation.
    public var secret: String
    public var cursor: Int64
    /// Messages that failed for good in a row; reset by a delivered one and on re-enabling.
    public var consecutiveFailures: Int
    /// Why delivery stopped by itself (too many failures); empty otherwise.
    public var disabledReason: String
    public var created: String
    /// Changed by edits only, not by delivery's progress: the dispatcher restarts a webhook's delivery when it changes.
    public var updated: String

    /// The JSON the API answers; collections by name where they still exist, the secret only when asked.
    public func json(schema: SchemaSnapshot, withSecret: Bool = false) -> JSONValue {
        var json: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "url": .string(url),
            "collections": .array(collectionIds.map { .string(schema.collection($0)?.name ?? $0) }),
            "actions": .array(actions.map { .string($0.rawValue) }), "filter": .string(filter), "enabled": .bool(enabled),
            "headers": .object(headers.mapValues { .string($0) }), "cursor": .number(Double(cursor)),
            "consecutiveFailures": .number(Double(consecutiveFailures)), "disabledReason": .string(disabledReason),
            "created": .string(created), "updated": .string(updated),
        ]
        if withSecret { json["secret"] = .string(secret) }
        return .object(json)
    }

    /// Whether a change of this collection and action is one this webhook may deliver (the filter aside).
    func selects(collectionId: String, action: String) -> Bool {
        (collectionIds.isEmpty || collectionIds.contains(collectionId)) && actions.contains { $0.rawValue == action }
    }

    static func from(_ row: StoreRow) -> Webhook {
        func strings(_ column: String) -> [String] {
            (row[column]?.textValue).flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        let headers = (row["headers"]?.textValue).flatMap { try? JSONValue.parse($0) }?.objectValue ?? [:]
        return Webhook(
            id: row["id"]?.textValue ?? "", name: row["name"]?.textValue ?? "", url: row["url"]?.textValue ?? "",
            collectionIds: strings("collections"), actions: strings("actions").compactMap(ChangeLogEntry.Action.init(rawValue:)),
            filter: row["filter"]?.textValue ?? "", enabled: row["enabled"]?.boolValue ?? false,
            headers: headers.compactMapValues(\.stringValue), secret: row["secret"]?.textValue ?? "",
            cursor: row["cursor"]?.int64Value ?? 0, consecutiveFailures: Int(row["consecutiveFailures"]?.int64Value ?? 0),
            disabledReason: row["disabledReason"]?.textValue ?? "", created: row["created"]?.textValue ?? "",
            updated: row["updated"]?.textValue ?? "")
    }
}
