import GraphQL
import Logging
import SwiftbaseCore

/// What the resolvers of one operation share: the core services they call and the request as rules see it,
/// its identity being the one the HTTP middleware resolved for REST (record or superuser token, `sbk_` key,
/// or guest). Resolvers never read the store themselves.
struct GraphQLRequestContext: Sendable {
    let records: RecordService
    let presenter: RecordPresenter
    /// The requester and `@request.*` (headers, method) for the rules. Its `auth` is the requester's; each
    /// resolver narrows it to the action (`acting(.list, on:)`), as REST's routes do, so API keys keep to
    /// their scopes.
    let request: RequestInfo
    /// The most records one list answers (REST's `perPage` cap).
    let maxPageSize: Int
    let logger: Logger

    /// The context handed to every resolver; anything else is a programming error reported as a GraphQL
    /// error, not a crash.
    static func from(_ context: any Sendable) throws -> GraphQLRequestContext {
        guard let context = context as? GraphQLRequestContext else {
            throw SwiftbaseError(.internalError, "Something went wrong while processing your request.")
        }
        return context
    }

    /// The request for `action` on `collection`, with the body rules see as `@request.body`.
    func request(for action: RecordAction, on collection: CollectionModel, body: [String: JSONValue] = [:]) throws
        -> RequestInfo
    {
        var info = request
        info.auth = try request.auth.acting(action, on: collection)
        info.body = body
        return info
    }

    /// `records` presented for `request` with the relations the field's selection set asks for.
    func present(
        _ records: [RecordModel], of shape: CollectionShape, catalog: GraphQLCatalog, selection: FieldSelection,
        request: RequestInfo
    ) async throws -> [RecordNode] {
        guard !records.isEmpty else { return [] }
        let expand = try SelectionPlanner(catalog: catalog, selection: selection, maxPageSize: maxPageSize).expand(
            for: selection.fieldASTs, on: shape)
        let json = try await presenter.json(
            records, of: shape.collection, for: request, RecordPresentation(expand: expand, fields: nil))
        let level = NodeLevel(json)
        return json.map { RecordNode($0, level: level) }
    }
}
