import GraphQL
import SwiftbaseCore

/// Reads, before an aggregate runs, which terms its selection set asks for (`count`, `count(columns:
/// [views], distinct: true)`, `sum { views }`…), so one query answers them all; each field then finds its
/// value by the same term. Fragments apply as in `SelectionPlanner`; arguments may be variables.
struct AggregateTermPlanner {
    let shape: CollectionShape
    let fragments: [String: FragmentDefinition]
    let variables: [String: Map]

    init(shape: CollectionShape, info: GraphQLResolveInfo) {
        self.shape = shape
        fragments = info.fragments
        variables = info.variableValues.compactMapValues { $0 as? Map }
    }

    /// The terms under the selection sets of `fields` (the occurrences of one aggregate or group field).
    func terms(in fields: [Field]) throws -> [RecordAggregation.Term] {
        var terms: [RecordAggregation.Term] = []
        for field in fields {
            if let selectionSet = field.selectionSet { try collect(selectionSet, visiting: [], into: &terms) }
        }
        return terms
    }

    private func collect(_ selectionSet: SelectionSet, visiting: Set<String>, into terms: inout [RecordAggregation.Term])
        throws
    {
        try each(selectionSet, visiting: visiting) { field in
            let name = field.name.value
            if name == "count" {
                let columns = try argument("columns", of: field)
                let distinct = try argument("distinct", of: field)
                append(try .count(columns: columns, distinct: distinct, shape: shape), to: &terms)
            } else if let function = Self.functions[name], let nested = field.selectionSet {
                try each(nested, visiting: visiting) { column in
                    guard let stored = shape.field(column.name.value)?.storedName else { return }
                    append(RecordAggregation.Term(function, stored), to: &terms)
                }
            }
        }
    }

    /// Calls `body` with every field of the selection set, fragments included.
    private func each(_ selectionSet: SelectionSet, visiting: Set<String>, _ body: (Field) throws -> Void) throws {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                try body(field)
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visiting.contains(name), let fragment = fragments[name] else { continue }
                try each(fragment.selectionSet, visiting: visiting.union([name]), body)
            case let inline as InlineFragment:
                try each(inline.selectionSet, visiting: visiting, body)
            default:
                continue
            }
        }
    }

    private func argument(_ name: String, of field: Field) throws -> Map {
        guard let value = field.arguments.first(where: { $0.name.value == name })?.value else { return .undefined }
        return try valueFromASTUntyped(valueAST: value, variables: variables)
    }

    private func append(_ term: RecordAggregation.Term, to terms: inout [RecordAggregation.Term]) {
        if !terms.contains(term) { terms.append(term) }
    }

    static let functions: [String: RecordAggregation.Function] = ["sum": .sum, "avg": .avg, "min": .min, "max": .max]
}
