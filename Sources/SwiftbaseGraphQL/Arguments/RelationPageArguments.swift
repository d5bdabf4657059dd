import GraphQL
import OrderedCollections
import SwiftbaseCore

/// The arguments of an array relationship (`comments_via_post(where:, order_by:, limit:, offset:, filter:)`)
/// as the page each record gets of it, read the way the root list field reads its own.
enum RelationPageArguments {
    /// `field`'s arguments on the object type `typeName`, coerced to the types the schema declares.
    static func coerced(_ field: Field, on typeName: String, schema: GraphQLSchema, variables: [String: Map]) throws
        -> Map
    {
        guard let object = schema.getType(name: typeName) as? GraphQLObjectType,
            let definitions = try object.fields()[field.name.value]?.args,
            let args = try? InputCoercion(variables: variables).arguments(field.arguments, definitions: definitions)
        else {
            throw SwiftbaseError(.badRequest, "Invalid arguments for \(typeName).\(field.name.value).")
        }
        return args
    }

    /// The page of `target`'s records: `where` and `filter` ANDed, `order_by`, `limit` (at most the page size
    /// limit) and `offset`.
    static func slice(_ args: Map, on target: CollectionShape, catalog: GraphQLCatalog, maxPageSize: Int) throws
        -> ExpandSlice
    {
        let limit = try RecordQueries.integer(args["limit"], name: "limit")
        if let limit, limit > maxPageSize { throw OperationLimits.pageTooLarge(limit, max: maxPageSize) }
        return ExpandSlice(
            condition: try WhereCompiler(catalog: catalog).compile(args["where"], on: target).filter,
            filter: args["filter"].string ?? "",
            sort: try OrderByCompiler(catalog: catalog).compile(args["order_by"], on: target),
            limit: limit,
            offset: try RecordQueries.integer(args["offset"], name: "offset") ?? 0)
    }
}
