import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Compiles `order_by: [{created: desc}, {author: {name: asc}}]` into PocketBase's `sort` text
/// (`-created,author.name`). The text is made only of field names from the schema and the `-` sign: no client
/// value reaches it, and the record service's sort compiler resolves it as it resolves REST's `sort`.
struct OrderByCompiler {
    let catalog: GraphQLCatalog
    /// Relation hops in one term, as `where` allows.
    var maxRelationHops = 6

    func compile(_ orderBy: Map, on shape: CollectionShape) throws(SwiftbaseError) -> String {
        let items: [Map]
        switch orderBy {
        case .array(let list): items = list
        case .null, .undefined: return ""
        default: items = [orderBy]
        }
        var terms: [String] = []
        for item in items {
            try collect(item, shape: shape, prefix: "", hops: 0, into: &terms)
        }
        return terms.joined(separator: ",")
    }

    private func collect(_ value: Map, shape: CollectionShape, prefix: String, hops: Int, into terms: inout [String])
        throws(SwiftbaseError)
    {
        guard case .dictionary(let entries) = value else { return }
        for (key, direction) in entries {
            guard let field = shape.field(key) else { throw Self.invalid("unknown field \(key)") }
            switch field.kind {
            case .relation(let stored, let targetType, false):
                guard hops < maxRelationHops, let target = catalog.shape(type: targetType) else {
                    throw Self.invalid("order_by crosses too many relations")
                }
                try collect(direction, shape: target, prefix: prefix + stored.name + ".", hops: hops + 1, into: &terms)
            default:
                guard let stored = field.storedName else { throw Self.invalid("\(key) cannot be sorted") }
                switch direction {
                case .string("asc"): terms.append(prefix + stored)
                case .string("desc"): terms.append("-" + prefix + stored)
                case .null, .undefined: continue
                default: throw Self.invalid("a direction is asc or desc")
                }
            }
        }
    }

    static func invalid(_ detail: String) -> SwiftbaseError {
        SwiftbaseError(.badRequest, "Invalid order_by argument: \(detail).")
    }
}
