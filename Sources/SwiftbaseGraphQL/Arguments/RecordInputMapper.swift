import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Turns mutation arguments into the body the record service receives, keyed by field names as REST's
/// JSON body is: `object`/`_set` values as they are, `_inc: {views: 1}` as PocketBase's `views+` modifier.
/// The record service then validates, applies rules and hooks exactly as for a REST create or update.
struct RecordInputMapper {
    let shape: CollectionShape

    /// An auth collection's password inputs: its password field is never output, so it is not in `writableFields`.
    static let authExtras = ["password", "passwordConfirm", "oldPassword"]

    func values(object: Map) throws(SwiftbaseError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        try add(object, into: &out, suffix: "")
        return out
    }

    func values(set: Map, increment: Map) throws(SwiftbaseError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        try add(set, into: &out, suffix: "")
        try add(increment, into: &out, suffix: "+")
        return out
    }

    private func add(_ input: Map, into out: inout [String: JSONValue], suffix: String) throws(SwiftbaseError) {
        guard case .dictionary(let entries) = input else { return }
        let writable = shape.writableFields
        for (key, value) in entries where !value.isUndefined {
            if key == "id" {
                out["id"] = value.jsonValue
            } else if let field = writable.first(where: { $0.name == key }) {
                out[field.field.name + suffix] = value.jsonValue
            } else if shape.collection.isAuth, Self.authExtras.contains(key) {
                out[key] = value.jsonValue
            } else {
                throw SwiftbaseError(.badRequest, "Unknown input field \(key).")
            }
        }
    }
}
