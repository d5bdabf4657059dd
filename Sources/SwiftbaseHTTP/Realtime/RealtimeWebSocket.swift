import Foundation
public import HTTPTypes
public import HummingbirdWebSocket
public import Logging
public import NIOCore
import SwiftbaseCore
import SwiftbaseServices

/// `GET /api/realtime/ws` — the same realtime subscriptions over one WebSocket, for clients that prefer it to
/// SSE plus POST (and can then send their credential in a message, as browsers cannot set headers on a
/// WebSocket). Text frames of JSON, both ways:
///
/// - server, first: `{"event": "PB_CONNECT", "clientId": "<id>", "data": {"clientId": "<id>"}}`
/// - client: `{"subscriptions": ["posts/*", …], "authorization": "<token or sbk_ key>"}` — replaces the set, as
///   `POST /api/realtime` does, binding the identity (the message's `authorization`, else the upgrade
///   request's `Authorization` header); answered `{"event": "PB_SUBSCRIBED", "data": {"subscriptions": […]}}`
///   or `{"event": "PB_ERROR", "data": {"status", "message", "data"}}` in PocketBase's error shape
/// - server, per change: `{"event": "<subscription>", "clientId": "<id>", "data": {"action", "record"}}`
public enum RealtimeWebSocket {
    public static let path = "/api/realtime/ws"
    /// Largest client message accepted.
    static let maxMessageSize = 1 << 20

    /// The upgrade decision for `HTTPServerBuilder.http1WebSocketUpgrade`: upgrades requests for `path` only.
    public static func shouldUpgrade(services: HTTPServices)
        -> @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<
            WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
        >
    {
        let authentication = AuthenticationMiddleware(resolver: services.identities)
        return { request, channel, logger in
            guard (request.path ?? "").split(separator: "?").first.map(String.init) == path else { return .dontUpgrade }
            let ip =
                services.settings.trustedProxy.forwardedIP(in: request.headerFields)
                ?? channel.remoteAddress?.ipAddress ?? ""
            let header = request.headerFields[.authorization] ?? ""
            return .upgrade([:]) { inbound, outbound, _ in
                try await serve(
                    inbound: inbound, outbound: outbound, hub: services.realtime, ip: ip,
                    identify: { credential in
                        let value = credential ?? header
                        guard !value.isEmpty else { return .guest }
                        let identity = await authentication.identity(credential: value, clientIP: ip, logger: logger)
                        // A superuser outside `superuserIPs` acts as no one here (HTTP answers such requests 403).
                        return identity.isSuperuser && !services.settings.allowsSuperuser(from: ip) ? .guest : identity
                    })
            }
        }
    }

    static func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, hub: SubscriptionHub, ip: String,
        identify: @escaping @Sendable (String?) async -> AuthContext
    ) async throws {
        let client = hub.connect(remoteIP: ip)
        try await outbound.write(
            .text(frame(["event": "PB_CONNECT", "clientId": .string(client.id), "data": ["clientId": .string(client.id)]])))
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in client.messages {
                    try await outbound.write(.text(frame(message, clientID: client.id)))
                }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: maxMessageSize) {
                    guard case .text(let text) = message else { continue }
                    let reply = await handle(text, client: client, hub: hub, ip: ip, identify: identify)
                    try await outbound.write(.text(frame(reply)))
                }
            }
            // Either side ending ends the connection: the peer left, or the hub closed the client.
            _ = try? await group.next()
            group.cancelAll()
        }
        hub.disconnect(client, reason: "websocket closed")
    }

    static func handle(
        _ text: String, client: RealtimeClient, hub: SubscriptionHub, ip: String,
        identify: @Sendable (String?) async -> AuthContext
    ) async -> JSONValue {
        do {
            guard let object = (try? JSONValue.parse(text))?.objectValue else { throw SwiftbaseError.badRequest() }
            var values = object
            values["clientId"] = .string(client.id)
            let (_, subscriptions) = try RealtimeRoutes.form(values)
            let auth = await identify(object["authorization"]?.stringValue)
            try hub.setSubscriptions(clientID: client.id, subscriptions: subscriptions, auth: auth, remoteIP: ip)
            return ["event": "PB_SUBSCRIBED", "data": ["subscriptions": .array(subscriptions.map(JSONValue.string))]]
        } catch let error as SwiftbaseError {
            let status = ErrorMiddleware.status(for: error.code).code
            return [
                "event": "PB_ERROR",
                "data": ["status": .number(Double(status)), "message": .string(error.message), "data": error.data.json],
            ]
        } catch {
            return ["event": "PB_ERROR", "data": ["status": 400, "message": "Something went wrong while processing your request.", "data": [:]]]
        }
    }

    static func frame(_ value: JSONValue) -> String { value.jsonString }

    /// `{"event", "clientId", "data"}` around a message's already encoded data.
    static func frame(_ message: RealtimeMessage, clientID: String) -> String {
        "{\"event\":" + JSONValue.string(message.name).jsonString + ",\"clientId\":" + JSONValue.string(clientID).jsonString
            + ",\"data\":" + message.data + "}"
    }
}
