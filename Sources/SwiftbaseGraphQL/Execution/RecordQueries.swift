import GraphQL
import SwiftbaseCore

/// The query root fields of one collection, `posts(where:order_by:limit:offset:filter:)` and
/// `posts_by_pk(id:)`, answered by `RecordService.list` and `.view` with the collection's list and view rules
/// for the requester, as REST's list and view answer.
struct RecordQueries: Sendable {
    let shape: CollectionShape
    let catalog: GraphQLCatalog

    func list(_ args: Map, context: GraphQLRequestContext, selection: FieldSelection) async throws
        -> [(any Sendable)?]
    {
        let collection = shape.collection
        let request = try context.request(for: .list, on: collection)
        var options = try listOptions(args, context: context)
        let limit = options.perPage
        if limit == 0 {
            // Still asked, so a refused collection (a `null` rule, an invalid filter) is refused whatever the limit.
            options.perPage = 1
            _ = try await context.records.list(in: collection.name, options: options, request: request)
            return []
        }
        let page = try await context.records.list(in: collection.name, options: options, request: request)
        let nodes = try await context.present(page.items, of: shape, catalog: catalog, selection: selection, request: request)
        return nodes.map { $0 as (any Sendable)? }
    }

    /// The list options of `where`, `order_by`, `filter`, `limit` (default and cap: the page size limit) and
    /// `offset`.
    func listOptions(_ args: Map, context: GraphQLRequestContext) throws -> RecordListOptions {
        let limit = try Self.integer(args["limit"], name: "limit") ?? context.maxPageSize
        guard limit <= context.maxPageSize else { throw OperationLimits.pageTooLarge(limit, max: context.maxPageSize) }
        let condition = try WhereCompiler(catalog: catalog).compile(args["where"], on: shape)
        var options = RecordListOptions(
            page: 1, perPage: limit, skipTotal: true,
            sort: try OrderByCompiler(catalog: catalog).compile(args["order_by"], on: shape),
            filter: args["filter"].string ?? "")
        options.condition = condition.filter
        options.offset = try Self.integer(args["offset"], name: "offset") ?? 0
        return options
    }

    func byPK(_ args: Map, context: GraphQLRequestContext, selection: FieldSelection) async throws
        -> (any Sendable)?
    {
        let collection = shape.collection
        let request = try context.request(for: .view, on: collection)
        guard let id = args["id"].string else { return nil }
        let record: RecordModel
        do {
            record = try await context.records.view(in: collection.name, id: id, request: request)
        } catch let error as SwiftbaseError where error.code == .notFound {
            // Hasura answers a missing (or hidden) row with null, not an error.
            return nil
        }
        return try await context.present([record], of: shape, catalog: catalog, selection: selection, request: request).first
    }

    /// A non-negative `Int` argument, or nil when absent.
    static func integer(_ value: Map, name: String) throws -> Int? {
        guard case .number(let number) = value else { return nil }
        let int = number.intValue
        guard int >= 0 else { throw SwiftbaseError(.badRequest, "The \(name) argument must not be negative.") }
        return int
    }
}
