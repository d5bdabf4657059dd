import Foundation
import GraphQL
public import Hummingbird
public import Logging
public import SwiftbaseCore
public import SwiftbaseHTTP

/// `/api/graphql`: GraphQL over HTTP for the collections, with the identity REST resolves for the same
/// `Authorization` header (record or superuser token, `sbk_` API key, or guest).
///
/// - `POST /api/graphql` with the JSON body `{query, variables, operationName}`;
/// - `GET /api/graphql?query=…&variables=…&operationName=…` for queries (mutations need `POST`);
/// - `GET /api/graphql/schema`: the current schema as SDL text.
///
/// Answers are `application/json` GraphQL responses, status 200 even with errors in them (GraphQL over HTTP
/// for `application/json`); a body that is not a GraphQL request at all is a 400 in the same shape.
///
/// ```swift
/// let router = Routes.router(services: http)
/// GraphQLRoutes(services: http, logger: logger).add(to: router)
/// ```
public struct GraphQLRoutes: Sendable {
    let services: HTTPServices
    let executor: GraphQLExecutor
    let logger: Logger

    public init(services: HTTPServices, limits: GraphQLLimits = GraphQLLimits(), logger: Logger) {
        self.services = services
        self.logger = logger
        let settings = services.settings
        self.executor = GraphQLExecutor(
            cache: GraphQLSchemaCache(registry: services.schema, logger: logger), limits: limits,
            settings: { settings.graphql })
    }

    public func add(to router: Router<SwiftbaseRequestContext>) {
        router.post("/api/graphql") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: services.maxBodySize)
            let operation: GraphQLOperationRequest
            do {
                let json = try StrictJSONParser.parseDocument(Array(body.readableBytesView))
                operation = try Self.operation(
                    query: json["query"], variables: json["variables"], name: json["operationName"])
            } catch {
                return Self.badRequest("The body must be a JSON object with a query string.")
            }
            return await answer(operation, request: request, context: context, allowMutations: true)
        }
        router.get("/api/graphql") { request, context in
            let query = QueryParameters(request.uri.query)
            let operation: GraphQLOperationRequest
            do {
                let variables = try query["variables"].map { try StrictJSONParser.parseDocument(Array($0.utf8)) }
                operation = try Self.operation(
                    query: query["query"].map { .string($0) }, variables: variables,
                    name: query["operationName"].map { .string($0) })
            } catch {
                return Self.badRequest("The query parameter must hold a query; variables must be a JSON object.")
            }
            return await answer(operation, request: request, context: context, allowMutations: false)
        }
        router.get("/api/graphql/schema") { _, _ in
            let bundle = try executor.cache.current()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: bundle.sdl)))
        }
    }

    /// The WebSocket upgrade of `/api/graphql` (see `GraphQLWebSocket`), sharing this endpoint's schema cache;
    /// subscriptions read committed changes from `events`. Hand it to `HTTPServerBuilder.swiftbase(webSockets:)`.
    public func webSocketUpgrade(events: EventBus) -> WebSocketUpgrade {
        let socket = GraphQLWebSocket(services: services, events: events, executor: executor)
        return { request, channel, logger in socket.shouldUpgrade(request: request, channel: channel, logger: logger) }
    }

    private func answer(
        _ operation: GraphQLOperationRequest, request: Request, context: SwiftbaseRequestContext, allowMutations: Bool
    ) async -> Response {
        let graphQLContext = GraphQLRequestContext(
            records: services.records, presenter: services.presenter, request: request.requestInfo(auth: context.auth),
            maxPageSize: executor.limits.maxPageSize, logger: context.logger)
        let mapping = GraphQLErrorMapping(
            audit: services.audit, auditActor: context.auth.auditActor, remoteIP: context.clientIP,
            logger: context.logger)
        let outcome = await executor.run(
            operation, context: graphQLContext, errors: mapping, allowMutations: allowMutations, writesJSON: true)
        return Self.response(outcome)
    }

    /// `{query, variables, operationName}` from JSON values; a missing query or non-object variables throw.
    static func operation(query: JSONValue?, variables: JSONValue?, name: JSONValue?) throws -> GraphQLOperationRequest
    {
        guard case .string(let text)? = query, !text.isEmpty else { throw SwiftbaseError.badRequest() }
        var operation = GraphQLOperationRequest(query: text)
        switch variables {
        case .object(let members)?:
            for (key, value) in members { operation.variables[key] = Map(value) }
        case .null?, nil:
            break
        default:
            throw SwiftbaseError.badRequest()
        }
        if case .string(let operationName)? = name, !operationName.isEmpty { operation.operationName = operationName }
        return operation
    }

    static func response(_ outcome: GraphQLOutcome) -> Response {
        let data = (try? outcome.json()) ?? Array(#"{"errors":[{"message":"Something went wrong."}]}"#.utf8)
        return Response(
            status: HTTPResponse.Status(code: outcome.status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response(_ result: GraphQLResult, status: Int) -> Response {
        response(GraphQLOutcome(result: result, status: status))
    }

    static func badRequest(_ message: String) -> Response {
        response(GraphQLResult(errors: [OperationLimits.error(message)]), status: 400)
    }
}
