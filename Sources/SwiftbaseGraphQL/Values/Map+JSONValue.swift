import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Conversions between the GraphQL package's `Map` and the core's `JSONValue`: record JSON becomes GraphQL
/// output, GraphQL input becomes record input and filter values.
extension Map {
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .number(Number(number))
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map { Map($0) })
        case .object(let members):
            var out = OrderedDictionary<String, Map>()
            for key in members.keys.sorted() { out[key] = Map(members[key] ?? .null) }
            self = .dictionary(out)
        }
    }

    /// The same value as JSON; `undefined` (an absent input) becomes `null`.
    var jsonValue: JSONValue {
        switch self {
        case .undefined, .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number.doubleValue)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(\.jsonValue))
        case .dictionary(let members):
            .object(Dictionary(members.map { ($0.key, $0.value.jsonValue) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
