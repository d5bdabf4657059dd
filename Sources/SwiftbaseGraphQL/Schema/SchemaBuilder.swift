import GraphQL
import OrderedCollections
import SwiftbaseCore

/// The named types of one schema, by GraphQL name. Record types refer to each other (relations both ways)
/// and `where` inputs to themselves (`_and`), so every type is made first and its fields filled in after;
/// input types read their fields from here each time GraphQL asks, which is why the schema bundle keeps this
/// table alive. Written only while building, read-only afterwards.
final class TypeTable {
    var objects: [String: GraphQLObjectType] = [:]
    var objectFields: [String: GraphQLFieldMap] = [:]
    var boolExps: [String: GraphQLInputObjectType] = [:]
    var boolExpFields: [String: InputObjectFieldMap] = [:]
    var orderBys: [String: GraphQLInputObjectType] = [:]
    var orderByFields: [String: InputObjectFieldMap] = [:]
    /// `posts_aggregate` object types, by record type (for the array relationships' `_aggregate`).
    var aggregates: [String: GraphQLObjectType] = [:]
}

/// Builds the GraphQL schema of a catalog: for each collection its record type, `where`/`order_by` inputs,
/// the query fields `posts`/`posts_by_pk`, the aggregates `posts_aggregate`/`posts_group_by` and, unless it is a view, the mutation fields
/// `insert_posts_one`/`update_posts_by_pk`/`delete_posts_by_pk`, and the subscription field `posts_events`.
/// Root types are `query_root`, `mutation_root` and `subscription_root`, as Hasura names them.
struct SchemaBuilder {
    let catalog: GraphQLCatalog

    func build() throws -> (schema: GraphQLSchema, table: TypeTable) {
        let shared = try SharedTypes()
        let table = TypeTable()
        for shape in catalog.shapes {
            let type = shape.typeName
            table.objects[type] = try GraphQLObjectType(
                name: type, description: "A record of the `\(shape.collection.name)` collection.",
                fields: { [weak table] in table?.objectFields[type] ?? [:] })
            table.boolExps[type] = try GraphQLInputObjectType(
                name: GraphQLNames.boolExp(type),
                description: "Which `\(shape.collection.name)` records to answer; the collection's rule still applies.",
                fields: { [weak table] in table?.boolExpFields[type] ?? [:] })
            table.orderBys[type] = try GraphQLInputObjectType(
                name: GraphQLNames.orderBy(type), fields: { [weak table] in table?.orderByFields[type] ?? [:] })
        }
        var queries = GraphQLFieldMap()
        for shape in catalog.shapes {
            // Before the record types' fields: an array relationship's `_aggregate` answers its collection's.
            guard let object = table.objects[shape.typeName], let boolExp = table.boolExps[shape.typeName],
                let orderBy = table.orderBys[shape.typeName]
            else { continue }
            table.aggregates[shape.typeName] = try AggregateTypes(shape: shape, catalog: catalog, shared: shared)
                .addQueries(object: object, boolExp: boolExp, orderBy: orderBy, to: &queries)
        }
        for shape in catalog.shapes {
            table.objectFields[shape.typeName] = try objectFields(shape, shared: shared, table: table)
            table.boolExpFields[shape.typeName] = try boolExpFields(shape, shared: shared, table: table)
            table.orderByFields[shape.typeName] = orderByFields(shape, shared: shared, table: table)
        }
        var mutations = GraphQLFieldMap()
        var subscriptions = GraphQLFieldMap()
        for shape in catalog.shapes {
            guard let object = table.objects[shape.typeName] else { continue }
            try addQueries(shape, object: object, table: table, to: &queries)
            if shape.isWritable { try addMutations(shape, object: object, shared: shared, to: &mutations) }
            if let boolExp = table.boolExps[shape.typeName] {
                subscriptions[GraphQLNames.events(shape.typeName)] = try RecordEvents(shape: shape, catalog: catalog)
                    .field(object: object, boolExp: boolExp)
            }
        }
        // Live queries: every query root field is also a subscription field, answered again on each change
        // that could alter it (`LiveQuery`).
        for shape in catalog.shapes {
            let type = shape.typeName
            for name in [type, GraphQLNames.byPK(type), GraphQLNames.aggregate(type), GraphQLNames.groupBy(type)] {
                if let field = queries[name] { subscriptions[name] = field }
            }
        }
        if queries.isEmpty {
            // A schema needs a query field; this one says there is nothing to query yet.
            let nothing: GraphQLFieldResolve = { _, _, _, _ in nil }
            queries["_no_collections"] = GraphQLField(type: GraphQLBoolean, resolve: nothing)
        }
        let schema = try GraphQLSchema(
            query: GraphQLObjectType(name: "query_root", fields: queries),
            mutation: mutations.isEmpty ? nil : GraphQLObjectType(name: "mutation_root", fields: mutations),
            subscription: subscriptions.isEmpty ? nil : GraphQLObjectType(name: "subscription_root", fields: subscriptions),
            types: [shared.geoPoint])
        return (schema, table)
    }

    // MARK: - Record types

    private func objectFields(_ shape: CollectionShape, shared: SharedTypes, table: TypeTable) throws -> GraphQLFieldMap
    {
        var fields = GraphQLFieldMap()
        for field in shape.fields {
            let type: any GraphQLOutputType
            var description: String?
            switch field.kind {
            case .system:
                type = GraphQLNonNull(GraphQLString)
            case .value(_, let valueType):
                type = shared.outputType(of: valueType)
            case .file(_, let isList):
                type = isList ? GraphQLList(GraphQLNonNull(GraphQLString)) : GraphQLString
                description = "The stored file name(s)."
            case .fileURL(_, let isList):
                type = isList ? GraphQLList(GraphQLNonNull(GraphQLString)) : GraphQLString
                description = "The download path of each file (`/api/files/…`); protected files need `?token=`."
            case .relation(_, let targetType, let isList), .backRelation(_, let targetType, _, let isList):
                guard let target = table.objects[targetType] else { continue }
                type = isList ? GraphQLNonNull(GraphQLList(GraphQLNonNull(target))) : target
                description = "Related records the requester may view (the related collection's view rule applies)."
            }
            let resolve: GraphQLFieldResolve = { source, _, _, info in
                (source as? RecordNode)?.value(of: field, occurrence: info.fieldASTs.first)
            }
            fields[field.name] = GraphQLField(
                type: type, description: description, args: pageArguments(of: field, table: table), resolve: resolve)
        }
        for relation in shape.relationAggregates {
            guard let aggregate = table.aggregates[relation.sourceType], let boolExp = table.boolExps[relation.sourceType]
            else { continue }
            let via = relation.via
            let resolve: GraphQLFieldResolve = { source, args, _, info in
                guard let node = source as? RecordNode, let id = node.json["id"]?.stringValue else { return nil }
                let occurrence = info.fieldASTs.first
                let place = (occurrence?.alias ?? occurrence?.name)?.value ?? relation.name
                return RelationAggregateRequest(
                    args: args, parentID: id, via: via, level: node.siblings, place: "\(place)(\(args))")
            }
            fields[relation.name] = GraphQLField(
                type: GraphQLNonNull(aggregate),
                description:
                    "Aggregates over each record's related records the requester may list (the related collection's "
                    + "listRule applies), read once for all the records beside it.",
                args: [
                    "where": GraphQLArgument(type: boolExp),
                    "filter": GraphQLArgument(
                        type: GraphQLString, description: "A PocketBase filter, ANDed with `where`."),
                ],
                resolve: resolve)
        }
        return fields
    }

    /// A list back-relation is an array relationship in Hasura's sense: each record's related records can be
    /// filtered, ordered and paged (`comments_via_post(where: …, order_by: …, limit: 3)`).
    private func pageArguments(of field: FieldShape, table: TypeTable) -> GraphQLArgumentConfigMap {
        guard case .backRelation(_, let sourceType, _, true) = field.kind, let boolExp = table.boolExps[sourceType],
            let orderBy = table.orderBys[sourceType]
        else { return [:] }
        return [
            "where": GraphQLArgument(type: boolExp),
            "order_by": GraphQLArgument(type: GraphQLList(GraphQLNonNull(orderBy))),
            "limit": GraphQLArgument(
                type: GraphQLInt, description: "At most this many per record (at most the page size limit)."),
            "offset": GraphQLArgument(type: GraphQLInt, description: "Each record's first this many are skipped."),
            "filter": GraphQLArgument(
                type: GraphQLString, description: "A PocketBase filter (`body ~ 'swift'`), ANDed with `where`."),
        ]
    }

    // MARK: - Query inputs

    private func boolExpFields(_ shape: CollectionShape, shared: SharedTypes, table: TypeTable) throws
        -> InputObjectFieldMap
    {
        var fields = InputObjectFieldMap()
        guard let own = table.boolExps[shape.typeName] else { return fields }
        fields["_and"] = InputObjectField(type: GraphQLList(GraphQLNonNull(own)))
        fields["_or"] = InputObjectField(type: GraphQLList(GraphQLNonNull(own)))
        fields["_not"] = InputObjectField(type: own)
        for field in shape.fields {
            let comparison: ScalarComparison?
            switch field.kind {
            case .system(let name):
                comparison = name == "id" ? .string : nil
            case .value(_, let valueType):
                comparison = valueType.comparison
            case .file(_, let isList):
                comparison = isList ? .stringArray : .string
            case .relation(_, let targetType, _), .backRelation(_, let targetType, _, _):
                if let target = table.boolExps[targetType] { fields[field.name] = InputObjectField(type: target) }
                continue
            case .fileURL:
                comparison = nil
            }
            if let comparison, let type = shared.comparisons[comparison] {
                fields[field.name] = InputObjectField(type: type)
            }
        }
        return fields
    }

    private func orderByFields(_ shape: CollectionShape, shared: SharedTypes, table: TypeTable) -> InputObjectFieldMap {
        var fields = InputObjectFieldMap()
        for field in shape.fields {
            switch field.kind {
            case .system(let name) where name == "id":
                fields[field.name] = InputObjectField(type: shared.orderBy)
            case .value(_, let valueType) where valueType.isSortable:
                fields[field.name] = InputObjectField(type: shared.orderBy)
            case .file(_, false):
                fields[field.name] = InputObjectField(type: shared.orderBy)
            case .relation(_, let targetType, false):
                if let target = table.orderBys[targetType] { fields[field.name] = InputObjectField(type: target) }
            default:
                continue
            }
        }
        return fields
    }

    // MARK: - Root fields

    private func addQueries(
        _ shape: CollectionShape, object: GraphQLObjectType, table: TypeTable, to root: inout GraphQLFieldMap
    ) throws {
        guard let boolExp = table.boolExps[shape.typeName], let orderBy = table.orderBys[shape.typeName] else { return }
        let queries = RecordQueries(shape: shape, catalog: catalog)
        let list: GraphQLFieldResolve = { _, args, context, info in
            try await queries.list(args, context: try GraphQLRequestContext.from(context), selection: FieldSelection(info))
        }
        let byPK: GraphQLFieldResolve = { _, args, context, info in
            try await queries.byPK(args, context: try GraphQLRequestContext.from(context), selection: FieldSelection(info))
        }
        let name = shape.collection.name
        root[shape.typeName] = GraphQLField(
            type: GraphQLNonNull(GraphQLList(GraphQLNonNull(object))),
            description: "Records of `\(name)` the requester may list (its listRule applies).",
            args: [
                "where": GraphQLArgument(type: boolExp),
                "order_by": GraphQLArgument(type: GraphQLList(GraphQLNonNull(orderBy))),
                "limit": GraphQLArgument(
                    type: GraphQLInt, description: "At most this many (default and cap: the page size limit)."),
                "offset": GraphQLArgument(type: GraphQLInt),
                "filter": GraphQLArgument(
                    type: GraphQLString, description: "A PocketBase filter (`title ~ 'swift'`), ANDed with `where`."),
            ],
            resolve: list)
        root[GraphQLNames.byPK(shape.typeName)] = GraphQLField(
            type: object, description: "One `\(name)` record by id, null when missing or hidden by its viewRule.",
            args: ["id": GraphQLArgument(type: GraphQLNonNull(GraphQLString))], resolve: byPK)
    }

    private func addMutations(
        _ shape: CollectionShape, object: GraphQLObjectType, shared: SharedTypes, to root: inout GraphQLFieldMap
    ) throws {
        let type = shape.typeName
        let writable = shape.writableFields
        var insertFields: InputObjectFieldMap = ["id": InputObjectField(type: GraphQLString)]
        var setFields = InputObjectFieldMap()
        var incFields = InputObjectFieldMap()
        for (name, _, valueType) in writable {
            insertFields[name] = InputObjectField(type: shared.inputType(of: valueType))
            setFields[name] = InputObjectField(type: shared.inputType(of: valueType))
            if valueType == .int || valueType == .float {
                incFields[name] = InputObjectField(type: shared.inputType(of: valueType))
            }
        }
        if shape.collection.isAuth {
            for extra in RecordInputMapper.authExtras {
                if extra != "oldPassword" { insertFields[extra] = InputObjectField(type: GraphQLString) }
                setFields[extra] = InputObjectField(type: GraphQLString)
            }
        }
        let mutations = RecordMutations(shape: shape, catalog: catalog)
        let insert: GraphQLFieldResolve = { _, args, context, info in
            try await mutations.insert(args, context: try GraphQLRequestContext.from(context), info: info)
        }
        let update: GraphQLFieldResolve = { _, args, context, info in
            try await mutations.update(args, context: try GraphQLRequestContext.from(context), info: info)
        }
        let delete: GraphQLFieldResolve = { _, args, context, info in
            try await mutations.delete(args, context: try GraphQLRequestContext.from(context), info: info)
        }
        let insertInput = try GraphQLInputObjectType(name: GraphQLNames.insertInput(type), fields: insertFields)
        root[GraphQLNames.insertOne(type)] = GraphQLField(
            type: object, description: "Creates a record (createRule, validation and hooks apply).",
            args: ["object": GraphQLArgument(type: GraphQLNonNull(insertInput))], resolve: insert)

        let pkColumns = try GraphQLInputObjectType(
            name: GraphQLNames.pkColumnsInput(type),
            fields: ["id": InputObjectField(type: GraphQLNonNull(GraphQLString))])
        var updateArgs: GraphQLArgumentConfigMap = ["pk_columns": GraphQLArgument(type: GraphQLNonNull(pkColumns))]
        if !setFields.isEmpty {
            updateArgs["_set"] = GraphQLArgument(
                type: try GraphQLInputObjectType(name: GraphQLNames.setInput(type), fields: setFields))
        }
        if !incFields.isEmpty {
            updateArgs["_inc"] = GraphQLArgument(
                type: try GraphQLInputObjectType(name: GraphQLNames.incInput(type), fields: incFields),
                description: "Adds to number fields (PocketBase's `field+`).")
        }
        root[GraphQLNames.updateByPK(type)] = GraphQLField(
            type: object, description: "Updates a record (updateRule, validation and hooks apply).", args: updateArgs,
            resolve: update)
        root[GraphQLNames.deleteByPK(type)] = GraphQLField(
            type: object,
            description: "Deletes a record (deleteRule applies); answers it as it was when the requester may view it.",
            args: ["id": GraphQLArgument(type: GraphQLNonNull(GraphQLString))], resolve: delete)
    }
}
