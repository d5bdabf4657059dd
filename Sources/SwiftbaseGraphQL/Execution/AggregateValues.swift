import GraphQL
import SwiftbaseCore

/// One answer of an aggregate or one group: every term the selection set asked for, and the group's keys.
/// The fields of `posts_aggregate_fields`, `posts_sum_fields`… and `posts_group_keys` read it.
struct AggregateValues: Sendable {
    let values: [RecordAggregation.Term: JSONValue]
    /// Group keys by stored field name.
    let keys: [String: JSONValue]

    /// The term's value; nil (GraphQL's null) when it was not computed or is null (a sum over no rows).
    func value(_ term: RecordAggregation.Term) -> Map? {
        guard let value = values[term], !value.isNull else { return nil }  // not `nil` in a ternary: `Map.null`
        return Map(value)
    }
}

/// The source of a `posts_sum_fields`-like object: the values and the function its fields read.
struct FunctionSelection: Sendable {
    let values: AggregateValues
    let function: RecordAggregation.Function
}

/// The source of a `posts_aggregate` object: the root field's arguments, read again by `aggregate` and
/// `nodes`, which load independently.
struct AggregateRequest: Sendable {
    let args: Map
}

/// The source of an array relationship's `_aggregate` object (`comments_via_post_aggregate`) for one record:
/// the field's arguments, the record, and its level, so `aggregate` and `nodes` read once for all the records
/// beside it.
struct RelationAggregateRequest: Sendable {
    let args: Map
    let parentID: String
    /// The related collection's relation field pointing to the record.
    let via: FieldModel
    let level: NodeLevel
    /// The field's place in its selection set (response key and arguments): the level's shared reads are per place.
    let place: String
}

extension RecordAggregation.Term {
    /// The term of a `count(columns:, distinct:)` field: rows without a column, else the rows whose column is
    /// set (or its distinct values). Columns arrive as their GraphQL names (the enum's values are its names).
    static func count(columns: Map, distinct: Map, shape: CollectionShape) throws -> Self {
        let names: [String] =
            switch columns {
            case .array(let items): items.compactMap(\.string)
            case .string(let name): [name]
            default: []
            }
        guard names.count <= 1 else {
            throw SwiftbaseError(.badRequest, "count takes one column at a time.")
        }
        guard let name = names.first else { return Self(.count) }
        guard let stored = shape.field(name)?.storedName else {
            throw SwiftbaseError(.badRequest, "Unknown column \(name) to count.")
        }
        return Self(distinct.bool == true ? .countDistinct : .count, stored)
    }
}
