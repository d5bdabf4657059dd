import GraphQL
import SwiftbaseCore

/// Reads, before a root field loads its records, which relations its selection set asks for, and names them
/// as PocketBase's `expand` (`author,comments_via_post.author`). The records are then presented with that
/// expand by `RecordPresenter`, exactly as REST presents them: related records load in one query per path
/// segment (never one per row), each related collection's view rule applies for the requester, and hidden
/// fields and emails are left out the same way.
///
/// The schema has no interfaces or unions, so every fragment in a record's selection set applies to it.
struct SelectionPlanner {
    let catalog: GraphQLCatalog
    let fragments: [String: FragmentDefinition]
    /// `expand`'s own limit: deeper paths load nothing, and the depth limit refuses them first.
    static let maxDepth = 6

    /// The `expand` text for the root field's nodes (one per alias-merged occurrence) over `shape`.
    func expand(for fields: [Field], on shape: CollectionShape) -> String {
        var paths: Set<String> = []
        for field in fields {
            if let selectionSet = field.selectionSet {
                walk(selectionSet, shape: shape, prefix: "", depth: 0, visiting: [], into: &paths)
            }
        }
        return paths.sorted().joined(separator: ",")
    }

    private func walk(
        _ selectionSet: SelectionSet, shape: CollectionShape, prefix: String, depth: Int, visiting: Set<String>,
        into paths: inout Set<String>
    ) {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard depth < Self.maxDepth, let shaped = shape.field(field.name.value), let key = shaped.expandKey,
                    let target = targetShape(of: shaped)
                else { continue }
                let path = prefix + key
                paths.insert(path)
                if let nested = field.selectionSet {
                    walk(nested, shape: target, prefix: path + ".", depth: depth + 1, visiting: visiting, into: &paths)
                }
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                walk(
                    fragment.selectionSet, shape: shape, prefix: prefix, depth: depth, visiting: visiting.union([name]),
                    into: &paths)
            case let inline as InlineFragment:
                walk(inline.selectionSet, shape: shape, prefix: prefix, depth: depth, visiting: visiting, into: &paths)
            default:
                continue
            }
        }
    }

    /// Adds the ids of the collections the selection sets of `fields` reach through relations and
    /// back-relations, at any depth; a selection that is not a field of `shape` (`nodes`, `aggregate`, `sum`)
    /// is read on the same shape.
    func collections(in fields: [Field], on shape: CollectionShape, into reached: inout Set<String>) {
        for field in fields {
            if let selectionSet = field.selectionSet {
                reach(selectionSet, shape: shape, depth: 0, visiting: [], into: &reached)
            }
        }
    }

    private func reach(
        _ selectionSet: SelectionSet, shape: CollectionShape, depth: Int, visiting: Set<String>,
        into reached: inout Set<String>
    ) {
        guard depth <= Self.maxDepth + 2 else { return }
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard let nested = field.selectionSet else { continue }
                if let shaped = shape.field(field.name.value), let target = targetShape(of: shaped) {
                    reached.insert(target.collection.id)
                    reach(nested, shape: target, depth: depth + 1, visiting: visiting, into: &reached)
                } else {
                    reach(nested, shape: shape, depth: depth + 1, visiting: visiting, into: &reached)
                }
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                reach(fragment.selectionSet, shape: shape, depth: depth, visiting: visiting.union([name]), into: &reached)
            case let inline as InlineFragment:
                reach(inline.selectionSet, shape: shape, depth: depth, visiting: visiting, into: &reached)
            default:
                continue
            }
        }
    }

    private func targetShape(of field: FieldShape) -> CollectionShape? {
        switch field.kind {
        case .relation(_, let targetType, _): catalog.shape(type: targetType)
        case .backRelation(_, let sourceType, _, _): catalog.shape(type: sourceType)
        default: nil
        }
    }
}
