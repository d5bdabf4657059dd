/// Renders a record as PocketBase's record JSON for one requester: every visible field with its value,
/// `collectionId`, `collectionName`, and `expand` when requested.
///
/// Never rendered: an auth collection's `password` and `tokenKey`; other password fields render as `""`. Hidden fields only for superusers. An auth
/// record's `email` only when `emailVisibility` is on, or for superusers, the record itself, or when
/// `alwaysShowEmail` (auth responses).
package enum RecordEncoder {
    package static func json(
        _ record: RecordModel, collection: CollectionModel, auth: AuthContext, alwaysShowEmail: Bool = false
    ) -> JSONValue {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(collection.fields.count + 3)
        out["collectionId"] = .string(record.collectionId)
        out["collectionName"] = .string(record.collectionName)
        for field in collection.fields {
            if collection.isAuth && (field.name == "tokenKey" || field.name == "password") { continue }
            if field.hidden && !auth.isSuperuser { continue }
            // Any other password field shows, where visible, as PocketBase's plaintext of a loaded record: "".
            if case .password = field.options {
                out[field.name] = .string("")
                continue
            }
            out[field.name] = record.values[field.name] ?? field.options.behavior.zeroValue(for: field)
        }
        if collection.isAuth, !alwaysShowEmail, !auth.isSuperuser,
            record.values["emailVisibility"]?.boolValue != true,
            auth.record.map({ $0.id != record.id || $0.collectionId != record.collectionId }) ?? true
        {
            out.removeValue(forKey: "email")
        }
        if let expand = record.expand { out["expand"] = .object(expand) }
        return .object(out)
    }
}
