public import HTTPTypes
public import HummingbirdWebSocket
public import Logging
public import NIOCore

/// Decides whether an HTTP/1.1 request becomes a WebSocket, and serves it if so: what
/// `HTTPServerBuilder.swiftbase` asks of each WebSocket endpoint (realtime's own, and those of the transports
/// above this module, such as GraphQL's). Answers `.dontUpgrade` for requests it does not serve.
public typealias WebSocketUpgrade =
    @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<
        WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
    >

/// The first of `upgrades` that upgrades a request, tried in order.
func firstWebSocketUpgrade(_ upgrades: [WebSocketUpgrade]) -> WebSocketUpgrade {
    { request, channel, logger in
        for upgrade in upgrades {
            let decision = try await upgrade(request, channel, logger)
            if case .dontUpgrade = decision { continue }
            return decision
        }
        return .dontUpgrade
    }
}
