import GraphQL
import SwiftbaseCore

/// The most records an operation could answer, worked out from the document before it runs, level by level as
/// relations load (one query per level for the whole list, as `expand` does). A list answers its `limit` (the
/// page size limit without one), `_group_by` its `limit` of groups, `_aggregate`'s `nodes` its `limit`, a
/// record by id or a mutation one. Below N records: a single relation N, a multi relation N × its
/// `maxSelect`, a back-relation at most 1000 records for the whole level (`expand`'s cap; × the pointing
/// field's `maxSelect` when it is multi, as one record then sits under several), or, given a `limit`, that
/// many per record. `posts(limit: 50) { author { name } comments_via_post { id } }` costs 50 + 50 +
/// min(50 × 1000, 1000); with `comments_via_post(limit: 3)` 50 + 50 + 150.
struct OperationCost {
    let catalog: GraphQLCatalog
    let fragments: [String: FragmentDefinition]
    let variables: [String: Map]
    let maxPageSize: Int
    /// `expand`'s cap on the records of one back-relation.
    static let backRelationRecords = 1000

    func records(_ operation: OperationDefinition) -> Int {
        var total = 0
        each(operation.selectionSet, visiting: []) { field in
            guard let (shape, many, isAggregate) = root(field), let nested = field.selectionSet else { return }
            guard isAggregate else {
                total = Self.add(total, Self.add(many, cost(nested, on: shape, times: many, depth: 1)))
                return
            }
            // `posts_aggregate`: one answer for `aggregate`, its page of records for `nodes`.
            each(nested, visiting: []) { child in
                guard child.name.value == "nodes", let records = child.selectionSet else {
                    total = Self.add(total, 1)
                    return
                }
                total = Self.add(total, Self.add(many, cost(records, on: shape, times: many, depth: 1)))
            }
        }
        return total
    }

    /// The root field's collection, how many records it answers at most, and whether it is an aggregate
    /// (whose `nodes` answer them).
    private func root(_ field: Field) -> (CollectionShape, Int, isAggregate: Bool)? {
        let name = field.name.value
        if let (shape, action) = catalog.shape(queryRoot: name) {
            if action == .view { return (shape, 1, false) }
            let isAggregate = name.hasSuffix("_aggregate") && catalog.shape(type: name) == nil
            return (shape, limit(of: field), isAggregate)
        }
        for prefix in ["insert_", "update_", "delete_"] where name.hasPrefix(prefix) {
            for suffix in ["_one", "_by_pk"] where name.hasSuffix(suffix) {
                let type = String(name.dropFirst(prefix.count).dropLast(suffix.count))
                if let shape = catalog.shape(type: type) { return (shape, 1, false) }
            }
        }
        if name.hasSuffix("_events"), let shape = catalog.shape(type: String(name.dropLast("_events".count))) {
            return (shape, 1, false)
        }
        return nil
    }

    /// Records below `times` records of `shape`: relations multiply; other objects (`keys`, `sum`) are read
    /// on the same shape and hold none of their own.
    private func cost(_ selectionSet: SelectionSet, on shape: CollectionShape, times: Int, depth: Int) -> Int {
        guard depth <= SelectionPlanner.maxDepth + 2 else { return 0 }
        var total = 0
        each(selectionSet, visiting: []) { field in
            guard let nested = field.selectionSet else { return }
            if let aggregate = shape.relationAggregate(field.name.value),
                let target = catalog.shape(type: aggregate.sourceType)
            {
                // One answer per record, and `nodes`: the level's related records, at most 1000 in all.
                let nodes = Swift.min(Self.multiply(times, Self.backRelationRecords), Self.backRelationRecords)
                total = Self.add(total, Self.add(times, Self.add(nodes, cost(nested, on: target, times: nodes, depth: depth + 1))))
                return
            }
            guard let shaped = shape.field(field.name.value), let (target, fanOut) = relation(shaped, field) else {
                total = Self.add(total, cost(nested, on: shape, times: times, depth: depth + 1))
                return
            }
            let many = fanOut(times)
            total = Self.add(total, Self.add(many, cost(nested, on: target, times: many, depth: depth + 1)))
        }
        return total
    }

    /// The related collection and how many records a level of it answers below N records.
    private func relation(_ field: FieldShape, _ occurrence: Field) -> (CollectionShape, @Sendable (Int) -> Int)? {
        switch field.kind {
        case .relation(let stored, let type, let isList):
            guard let target = catalog.shape(type: type) else { return nil }
            guard isList else { return (target, { $0 }) }
            let most = Self.maxSelect(stored) ?? Self.backRelationRecords
            return (target, { Self.multiply($0, most) })
        case .backRelation(_, let type, let via, let isList):
            guard let target = catalog.shape(type: type) else { return nil }
            guard isList else { return (target, { $0 }) }  // a unique pointing field: one record each
            if occurrence.arguments.contains(where: { $0.name.value == "limit" }) {
                // Paged per record: its `limit` each, with no cap for the level.
                let most = limit(of: occurrence)
                return (target, { Self.multiply($0, most) })
            }
            let each = via.isMultiple ? Self.maxSelect(via) ?? Self.backRelationRecords : 1
            let cap = Self.multiply(Self.backRelationRecords, each)
            return (target, { Swift.min(Self.multiply($0, Self.backRelationRecords), cap) })
        default:
            return nil
        }
    }

    private static func maxSelect(_ field: FieldModel) -> Int? {
        guard case .relation(let options) = field.options, options.maxSelect > 0 else { return nil }
        return options.maxSelect
    }

    private func limit(of field: Field) -> Int {
        guard let argument = field.arguments.first(where: { $0.name.value == "limit" }) else { return maxPageSize }
        switch argument.value {
        case let literal as IntValue: return Int(literal.value) ?? maxPageSize
        case let variable as Variable: return variables[variable.name.value]?.int ?? maxPageSize
        default: return maxPageSize
        }
    }

    private func each(_ selectionSet: SelectionSet, visiting: Set<String>, _ body: (Field) -> Void) {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                if !field.name.value.hasPrefix("__") { body(field) }
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                each(fragment.selectionSet, visiting: visiting.union([name]), body)
            case let inline as InlineFragment:
                each(inline.selectionSet, visiting: visiting, body)
            default:
                continue
            }
        }
    }

    private static func add(_ a: Int, _ b: Int) -> Int { a.addingReportingOverflow(b).overflow ? .max : a + b }
    private static func multiply(_ a: Int, _ b: Int) -> Int {
        a.multipliedReportingOverflow(by: b).overflow ? .max : a * b
    }
}
