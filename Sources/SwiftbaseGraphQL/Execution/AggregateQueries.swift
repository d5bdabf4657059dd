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

    /// `comments_via_post_aggregate { aggregate { … } }` for one post: one grouped aggregate (by the relation
    /// field) over the related records of every post of its level, shared by their resolvers.
    func aggregate(_ request: RelationAggregateRequest, context: GraphQLRequestContext, info: GraphQLResolveInfo)
        async throws -> AggregateValues
    {
        let terms = try AggregateTermPlanner(shape: shape, info: info).terms(in: info.fieldASTs)
        let byParent = try await request.level.shared("aggregate \(request.place) \(terms)") {
            () async throws -> [String: AggregateValues] in
            var out: [String: AggregateValues] = [:]
            for parents in Self.batches(of: request.level.ids) {
                var options = try self.relatedOptions(request, parents: parents, context: context)
                options.perPage = Int(Int32.max)
                let groups = try await context.records.aggregate(
                    in: self.shape.collection.name,
                    RecordAggregation(terms: terms, groupBy: [request.via.name], groupLimit: parents.count),
                    options: options, request: try context.request(for: .list, on: self.shape.collection))
                for group in groups {
                    if let id = group.keys.first?.stringValue { out[id] = Self.values(group, terms: terms, keys: []) }
                }
            }
            return out
        }
        return byParent[request.parentID] ?? Self.values(nil, terms: terms, keys: [])
    }

    /// `comments_via_post_aggregate { nodes { … } }` for one post: the related records of every post of its
    /// level in one list (at most 1000 for the level, `expand`'s cap), presented once, shared by their resolvers.
    func nodes(_ request: RelationAggregateRequest, context: GraphQLRequestContext, info: GraphQLResolveInfo)
        async throws -> [(any Sendable)?]
    {
        let selection = FieldSelection(info)
        let occurrence = info.fieldASTs.first
        let place = "nodes \(request.place) \((occurrence?.alias ?? occurrence?.name)?.value ?? "")"
        let byParent = try await request.level.shared(place) { () async throws -> [String: [RecordNode]] in
            // One list request (the requester's identity on this collection) serves every batch and the presenting.
            let listRequest = try context.request(for: .list, on: self.shape.collection)
            var records: [RecordModel] = []
            for parents in Self.batches(of: request.level.ids) {
                var options = try self.relatedOptions(request, parents: parents, context: context)
                options.perPage = OperationCost.backRelationRecords - records.count
                guard options.perPage > 0 else { break }
                records += try await context.records.list(
                    in: self.shape.collection.name, options: options, request: listRequest
                ).items
            }
            let nodes = try await context.present(
                records, of: self.shape, catalog: self.catalog, selection: selection, request: listRequest)
            var out: [String: [RecordNode]] = [:]
            for (record, node) in zip(records, nodes) {
                if let parent = record.values[request.via.name]?.stringValue { out[parent, default: []].append(node) }
            }
            return out
        }
        return (byParent[request.parentID] ?? []).map { $0 as (any Sendable)? }
    }

    /// The list options of the field's `where` and `filter`, with the relation pointing to one of `parents`.
    private func relatedOptions(_ request: RelationAggregateRequest, parents: [String], context: GraphQLRequestContext)
        throws -> RecordListOptions
    {
        var options = try queries.listOptions(request.args, context: context)
        let pointing = FilterExpression.or(
            parents.map { .comparison(FilterComparison(.identifier(request.via.name), .equal, .text($0))) })
        options.condition = options.condition.map { .and([$0, pointing]) } ?? pointing
        return options
    }

    /// Parents per read: each is one `=` in an `OR`, and SQLite bounds an expression's depth.
    private static func batches(of ids: [String]) -> [[String]] {
        stride(from: 0, to: ids.count, by: 100).map { Array(ids[$0..<min($0 + 100, ids.count)]) }
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
