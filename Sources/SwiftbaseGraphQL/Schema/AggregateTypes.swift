import GraphQL
import OrderedCollections
import SwiftbaseCore

/// The aggregate types and root fields of one collection, in Hasura's naming where Hasura has them:
/// `posts_aggregate` (`aggregate: posts_aggregate_fields`, `nodes`), `posts_aggregate_fields` (`count(columns:,
/// distinct:)`, `sum`, `avg`, `min`, `max`), `posts_sum_fields`…, the `posts_select_column` enum; and beyond
/// Hasura, `posts_group_by(by:)` answering `[posts_group]` (`keys: posts_group_keys`, the same functions).
/// `sum`/`avg` appear only with number fields, `min`/`max` only with comparable ones.
struct AggregateTypes {
    let shape: CollectionShape
    let catalog: GraphQLCatalog
    let shared: SharedTypes

    /// Adds the root fields and answers the `posts_aggregate` type (nil when the collection has nothing to
    /// count).
    @discardableResult
    func addQueries(
        object: GraphQLObjectType, boolExp: GraphQLInputObjectType, orderBy: GraphQLInputObjectType,
        to root: inout GraphQLFieldMap
    ) throws -> GraphQLObjectType? {
        let type = shape.typeName
        let name = shape.collection.name
        let counted = shape.aggregateColumns(for: nil)
        guard !counted.isEmpty else { return nil }
        let selectColumn = try GraphQLEnumType(
            name: GraphQLNames.selectColumn(type), description: "A column of `\(name)` to count or group by.",
            values: GraphQLEnumValueMap(
                uniqueKeysWithValues: counted.map { ($0.name, GraphQLEnumValue(value: .string($0.name))) }))
        let functionFields = try functionTypes()
        let queries = AggregateQueries(shape: shape, catalog: catalog)

        let fields = try termFields(selectColumn: selectColumn, functionTypes: functionFields)
        let aggregateFields = try GraphQLObjectType(
            name: GraphQLNames.aggregateFields(type), description: "Aggregates over the selected `\(name)` records.",
            fields: fields)
        let aggregateResolve: GraphQLFieldResolve = { source, _, context, info in
            let context = try GraphQLRequestContext.from(context)
            if let related = source as? RelationAggregateRequest {
                return try await queries.aggregate(related, context: context, info: info)
            }
            guard let request = source as? AggregateRequest else { return nil }
            return try await queries.aggregate(request, context: context, info: info)
        }
        let nodesResolve: GraphQLFieldResolve = { source, _, context, info in
            let context = try GraphQLRequestContext.from(context)
            if let related = source as? RelationAggregateRequest {
                return try await queries.nodes(related, context: context, info: info)
            }
            guard let request = source as? AggregateRequest else { return nil }
            return try await queries.nodes(request, context: context, info: info)
        }
        let aggregate = try GraphQLObjectType(
            name: GraphQLNames.aggregate(type),
            fields: [
                "aggregate": GraphQLField(type: aggregateFields, resolve: aggregateResolve),
                "nodes": GraphQLField(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(object))), resolve: nodesResolve),
            ])
        let rootResolve: GraphQLFieldResolve = { _, args, context, _ in
            try queries.root(args, context: try GraphQLRequestContext.from(context))
        }
        root[GraphQLNames.aggregate(type)] = GraphQLField(
            type: GraphQLNonNull(aggregate),
            description:
                "Aggregates over the `\(name)` records the requester may list (its listRule applies); with `limit` or "
                + "`offset`, over that page only.",
            args: [
                "where": GraphQLArgument(type: boolExp),
                "order_by": GraphQLArgument(type: GraphQLList(GraphQLNonNull(orderBy))),
                "limit": GraphQLArgument(type: GraphQLInt),
                "offset": GraphQLArgument(type: GraphQLInt),
                "filter": GraphQLArgument(type: GraphQLString, description: "A PocketBase filter, ANDed with `where`."),
            ],
            resolve: rootResolve)

        var keyFields = GraphQLFieldMap()
        for column in counted {
            let stored = column.field.name
            let resolve: GraphQLFieldResolve = { source, _, _, _ in
                guard let values = source as? AggregateValues, let value = values.keys[stored], !value.isNull else {
                    return nil
                }
                return Map(value)
            }
            keyFields[column.name] = GraphQLField(type: shared.outputType(of: column.type), resolve: resolve)
        }
        let keys = try GraphQLObjectType(
            name: GraphQLNames.groupKeys(type), description: "The values a `\(name)` group shares (those in `by`).",
            fields: keyFields)
        let identity: GraphQLFieldResolve = { source, _, _, _ in source as? AggregateValues }
        var groupFields: GraphQLFieldMap = ["keys": GraphQLField(type: GraphQLNonNull(keys), resolve: identity)]
        groupFields.merge(fields, uniquingKeysWith: { first, _ in first })
        let group = try GraphQLObjectType(
            name: GraphQLNames.group(type), description: "One group of `\(name)` records with equal `by` values.",
            fields: groupFields)
        let groupResolve: GraphQLFieldResolve = { _, args, context, info in
            try await queries.groupBy(args, context: try GraphQLRequestContext.from(context), info: info)
        }
        root[GraphQLNames.groupBy(type)] = GraphQLField(
            type: GraphQLNonNull(GraphQLList(GraphQLNonNull(group))),
            description:
                "Groups of the `\(name)` records the requester may list, by the `by` columns, in ascending key order.",
            args: [
                "by": GraphQLArgument(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(selectColumn)))),
                "where": GraphQLArgument(type: boolExp),
                "filter": GraphQLArgument(type: GraphQLString, description: "A PocketBase filter, ANDed with `where`."),
                "limit": GraphQLArgument(
                    type: GraphQLInt, description: "At most this many groups (default and cap: the page size limit)."),
            ],
            resolve: groupResolve)
        return aggregate
    }

    /// `count(columns:, distinct:)` and each function's object, read from an `AggregateValues` source.
    private func termFields(selectColumn: GraphQLEnumType, functionTypes: [(String, GraphQLObjectType)]) throws
        -> GraphQLFieldMap
    {
        let shape = shape
        let count: GraphQLFieldResolve = { source, args, _, _ in
            guard let values = source as? AggregateValues else { return nil }
            let term = try RecordAggregation.Term.count(columns: args["columns"], distinct: args["distinct"], shape: shape)
            return values.value(term) ?? Map.number(0)
        }
        var fields: GraphQLFieldMap = [
            "count": GraphQLField(
                type: GraphQLNonNull(GraphQLInt),
                description: "Records, or those whose column is set, or its distinct values (one column).",
                args: [
                    "columns": GraphQLArgument(type: GraphQLList(GraphQLNonNull(selectColumn))),
                    "distinct": GraphQLArgument(type: GraphQLBoolean),
                ],
                resolve: count)
        ]
        for (name, type) in functionTypes {
            guard let function = AggregateTermPlanner.functions[name] else { continue }
            let resolve: GraphQLFieldResolve = { source, _, _, _ in
                (source as? AggregateValues).map { FunctionSelection(values: $0, function: function) }
            }
            fields[name] = GraphQLField(type: type, resolve: resolve)
        }
        return fields
    }

    /// `posts_sum_fields`, `posts_avg_fields`, `posts_min_fields`, `posts_max_fields` for the functions that
    /// have columns: sums and averages as `Float`, minima and maxima in their column's type.
    private func functionTypes() throws -> [(String, GraphQLObjectType)] {
        var types: [(String, GraphQLObjectType)] = []
        for (name, function) in [("sum", RecordAggregation.Function.sum), ("avg", .avg), ("min", .min), ("max", .max)] {
            let columns = shape.aggregateColumns(for: function)
            guard !columns.isEmpty else { continue }
            var fields = GraphQLFieldMap()
            for column in columns {
                let term = RecordAggregation.Term(function, column.field.name)
                let resolve: GraphQLFieldResolve = { source, _, _, _ in
                    (source as? FunctionSelection)?.values.value(term)
                }
                let type: any GraphQLOutputType =
                    function == .sum || function == .avg ? GraphQLFloat : shared.outputType(of: column.type)
                fields[column.name] = GraphQLField(type: type, resolve: resolve)
            }
            types.append(
                (name, try GraphQLObjectType(name: GraphQLNames.functionFields(shape.typeName, name), fields: fields)))
        }
        return types
    }
}
