import GraphQL
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import SwiftbaseCore
import SwiftbaseHTTP

/// `GET /api/graphql` upgraded to a WebSocket: GraphQL operations, subscriptions among them, over the
/// `graphql-transport-ws` or the older `graphql-ws` sub-protocol, whichever the client's
/// `Sec-WebSocket-Protocol` names first. The identity is `connection_init`'s payload `Authorization` (also
/// `authorization`, or either inside `headers`), else the upgrade request's `Authorization` header, resolved
/// as REST resolves it (a credential that does not resolve is a guest).
struct GraphQLWebSocket: Sendable {
    static let path = "/api/graphql"
    /// Largest client message accepted.
    static let maxMessageSize = 1 << 20

    let services: HTTPServices
    let events: EventBus
    let executor: GraphQLExecutor
    /// Answers to changes shared between this endpoint's connections.
    let answers = SubscriptionAnswers()
    /// Operations running at once on one connection.
    var maxOperations = 100

    func shouldUpgrade(
        request: HTTPRequest, channel: any Channel, logger: Logger
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard (request.path ?? "").split(separator: "?").first.map(String.init) == Self.path,
            let wsProtocol = GraphQLWSProtocol.negotiate(request.headerFields[.secWebSocketProtocol])
        else { return .dontUpgrade }
        let connection = GraphQLWSConnection(
            wsProtocol: wsProtocol, services: services, events: events, executor: executor, answers: answers,
            remoteIP: services.settings.trustedProxy.forwardedIP(in: request.headerFields)
                ?? channel.remoteAddress?.ipAddress ?? "",
            headerCredential: request.headerFields[.authorization],
            maxOperations: maxOperations, logger: logger)
        return .upgrade([.secWebSocketProtocol: wsProtocol.rawValue]) { inbound, outbound, _ in
            await connection.serve(inbound: inbound, outbound: outbound)
        }
    }

    /// The credential of `connection_init`'s payload: `Authorization`/`authorization`, at its top level or in
    /// `headers` (as Apollo and urql clients put it).
    static func credential(in payload: JSONValue?) -> String? {
        guard let payload = payload?.objectValue else { return nil }
        for object in [payload, payload["headers"]?.objectValue ?? [:]] {
            for key in ["Authorization", "authorization"] {
                if case .string(let value)? = object[key], !value.isEmpty { return value }
            }
        }
        return nil
    }
}
