import GraphQL
import SwiftbaseCore

/// The aggregate root fields of one collection: `posts_aggregate(where:…) { aggregate { count sum { … } …}
/// nodes { … } }` as Hasura has it, and `posts_group_by(by: [category], where:…) { keys { category } count
/// avg { … } }`, answered by `RecordService.aggregate` over the records the same identity could list (the
/// list rule applies), one query for every term asked.
struct AggregateQueries: Sendable {
    let shape: CollectionShape
    let catalog: GraphQLCatalog

    private var queries: RecordQueries { RecordQueries(shape: shape, catalog: catalog) }

    /// `posts_aggregate`: its arguments are checked here, and read again by `aggregate` and `nodes`.
    func root(_ args: Map, context: GraphQLRequestContext) throws -> AggregateRequest {
        _ = try queries.listOptions(args, context: context)
        return AggregateRequest(args: args)
    }

    /// `posts_aggregate { aggregate { … } }`: over every matching record, or over the page `limit`/`offset`
    /// select (in `order_by`'s order), as Hasura counts.
    func aggregate(_ source: AggregateRequest, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws
        -> AggregateValues
    {
        let args = source.args
        let terms = try AggregateTermPlanner(shape: shape, info: info).terms(in: info.fieldASTs)
        var options = try queries.listOptions(args, context: context)
        let hasLimit = args["limit"].int != nil
        let limitsRows = hasLimit || (args["offset"].int ?? 0) > 0
        if !hasLimit { options.perPage = Int(Int32.max) }
        let request = try context.request(for: .list, on: shape.collection)
        let groups = try await context.records.aggregate(
            in: shape.collection.name, RecordAggregation(terms: terms), options: options, limitRows: limitsRows,
            request: request)
        return Self.values(groups.first, terms: terms, keys: [])
    }

    /// `posts_aggregate { nodes { … } }`: the records the same arguments list.
    func nodes(_ source: AggregateRequest, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws
        -> [(any Sendable)?]
    {
        try await queries.list(source.args, context: context, selection: FieldSelection(info))
    }

    /// `posts_group_by(by:, where:, filter:, limit:)`: one answer per distinct combination of the `by`
    /// fields' values, in ascending key order, at most `limit` (default and cap: the page size limit).
    func groupBy(_ args: Map, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws
        -> [(any Sendable)?]
    {
        let names = args["by"].array?.compactMap(\.string) ?? []
        let keys = try names.map { name -> String in
            guard let stored = shape.field(name)?.storedName else {
                throw SwiftbaseError(.badRequest, "Unknown column \(name) to group by.")
            }
            return stored
        }
        guard !keys.isEmpty else { throw SwiftbaseError(.badRequest, "group_by needs at least one column in by.") }
        // `limit` counts groups here; the options' rows are not limited (`limitRows` stays off).
        var options = try queries.listOptions(args, context: context)
        let limit = options.perPage
        options.sort = ""
        let terms = try AggregateTermPlanner(shape: shape, info: info).terms(in: info.fieldASTs)
        let request = try context.request(for: .list, on: shape.collection)
        let groups = try await context.records.aggregate(
            in: shape.collection.name, RecordAggregation(terms: terms, groupBy: keys, groupLimit: limit),
            options: options, request: request)
        return groups.map { Self.values($0, terms: terms, keys: keys) as (any Sendable)? }
    }

    private static func values(_ group: RecordAggregateGroup?, terms: [RecordAggregation.Term], keys: [String])
        -> AggregateValues
    {
        var values: [RecordAggregation.Term: JSONValue] = [:]
        var keyValues: [String: JSONValue] = [:]
        if let group {
            for (term, value) in zip(terms, group.values) { values[term] = value }
            for (key, value) in zip(keys, group.keys) { keyValues[key] = value }
        }
        return AggregateValues(values: values, keys: keyValues)
    }
}
