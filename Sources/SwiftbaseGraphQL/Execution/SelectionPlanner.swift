import GraphQL
import SwiftbaseCore

/// Reads, before a root field loads its records, which relations its selection set asks for, and names them
/// as PocketBase's `expand` names them (`author`, `comments_via_post.author`). The records are then presented with that
/// expand by `RecordPresenter`, exactly as REST presents them: related records load in one query per path
/// segment (never one per row), each related collection's view rule applies for the requester, and hidden
/// fields and emails are left out the same way.
///
/// The schema has no interfaces or unions, so every fragment in a record's selection set applies to it.
struct SelectionPlanner {
    let catalog: GraphQLCatalog
    let fragments: [String: FragmentDefinition]
    /// Needed only for back-relations given arguments: the schema declares their types, the variables and the
    /// page size limit what they may be.
    var schema: GraphQLSchema?
    var variables: [String: Map] = [:]
    var maxPageSize = Int.max
    /// `expand`'s own limit: deeper paths load nothing, and the depth limit refuses them first.
    static let maxDepth = 6

    init(catalog: GraphQLCatalog, fragments: [String: FragmentDefinition]) {
        self.catalog = catalog
        self.fragments = fragments
    }

    init(catalog: GraphQLCatalog, selection: FieldSelection, maxPageSize: Int) {
        self.init(catalog: catalog, fragments: selection.fragments)
        schema = selection.schema
        variables = selection.variables
        self.maxPageSize = maxPageSize
    }

    /// What to `expand` for the root field's nodes (one per alias-merged occurrence) over `shape`. A
    /// back-relation given arguments (`recent: comments_via_post(order_by: …, limit: 3)`) loads each record's
    /// own page under a key of its own (`FieldShape.expandKey(for:)`), so two aliases may ask for different pages.
    func expand(for fields: [Field], on shape: CollectionShape) throws -> ExpandTree {
        var tree = ExpandTree()
        for field in fields {
            if let selectionSet = field.selectionSet {
                try walk(selectionSet, shape: shape, depth: 0, visiting: [], into: &tree)
            }
        }
        return tree
    }

    private func walk(
        _ selectionSet: SelectionSet, shape: CollectionShape, depth: Int, visiting: Set<String>,
        into tree: inout ExpandTree
    ) throws {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard depth < Self.maxDepth, let shaped = shape.field(field.name.value),
                    let relation = shaped.expandKey, let key = shaped.expandKey(for: field),
                    let target = targetShape(of: shaped)
                else { continue }
                var node = ExpandTree()
                if key != relation {
                    node.relation = relation
                    node.slice = try slice(field, on: shape, target: target)
                }
                if let nested = field.selectionSet {
                    try walk(nested, shape: target, depth: depth + 1, visiting: visiting, into: &node)
                }
                tree.children[key, default: ExpandTree()].merge(node)
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                try walk(
                    fragment.selectionSet, shape: shape, depth: depth, visiting: visiting.union([name]), into: &tree)
            case let inline as InlineFragment:
                try walk(inline.selectionSet, shape: shape, depth: depth, visiting: visiting, into: &tree)
            default:
                continue
            }
        }
    }

    /// The page each record gets of a back-relation given arguments.
    private func slice(_ field: Field, on shape: CollectionShape, target: CollectionShape) throws -> ExpandSlice {
        guard let schema else {
            throw SwiftbaseError(.badRequest, "Invalid arguments for \(shape.typeName).\(field.name.value).")
        }
        let args = try RelationPageArguments.coerced(field, on: shape.typeName, schema: schema, variables: variables)
        return try RelationPageArguments.slice(args, on: target, catalog: catalog, maxPageSize: maxPageSize)
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
                } else if let aggregate = shape.relationAggregate(field.name.value),
                    let target = catalog.shape(type: aggregate.sourceType)
                {
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
