import Foundation
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
public import SwiftbaseCore
public import SwiftbaseHTTP

/// MQTT over WebSocket at `/api/mqtt` (MQTT 5.0 §6, 3.1.1 §6): a request asking for the `mqtt` sub-protocol is
/// upgraded on the HTTP server, and its binary messages carry the same MQTT byte stream as a TCP connection, served
/// by the same broker. Hand `upgrade` to `HTTPServerBuilder.swiftbase(webSockets:)`.
public struct MQTTWebSocketEndpoint: Sendable {
    public static let path = "/api/mqtt"
    /// The sub-protocol MQTT clients ask for (the spec's name; some old clients say `mqttv3.1`, also accepted).
    static let subprotocols = ["mqtt", "mqttv3.1"]

    let broker: MQTTBroker
    let authenticator: MQTTAuthenticator
    let access: MQTTAccessControl?
    /// QoS 0 messages waiting for one client's socket before more are dropped.
    var maximumQueued = 1000

    /// The settings' `trustedProxy`, read at each upgrade: behind a proxy the client's address comes from its header.
    let trustedProxy: @Sendable () -> TrustedProxy

    public init(
        broker: MQTTBroker, authenticator: MQTTAuthenticator, access: MQTTAccessControl? = nil,
        trustedProxy: @escaping @Sendable () -> TrustedProxy = { .none }
    ) {
        self.broker = broker
        self.authenticator = authenticator
        self.access = access
        self.trustedProxy = trustedProxy
    }

    public var upgrade: WebSocketUpgrade {
        let endpoint = self
        return { request, channel, logger in endpoint.shouldUpgrade(request: request, channel: channel, logger: logger) }
    }

    func shouldUpgrade(
        request: HTTPRequest, channel: any Channel, logger: Logger
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard (request.path ?? "").split(separator: "?").first.map(String.init) == Self.path,
            let offered = request.headerFields[.secWebSocketProtocol],
            let chosen = offered.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { Self.subprotocols.contains($0) })
        else { return .dontUpgrade }
        let connection = MQTTWebSocketConnection(
            broker: broker, authenticator: authenticator, access: access, maximumQueued: maximumQueued,
            clientIP: trustedProxy().forwardedIP(in: request.headerFields) ?? channel.remoteAddress?.ipAddress ?? "",
            logger: logger)
        return .upgrade([.secWebSocketProtocol: chosen]) { inbound, outbound, _ in
            await connection.serve(inbound: inbound, outbound: outbound)
        }
    }
}
