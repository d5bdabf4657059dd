import HTTPTypes
import Hummingbird
public import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 + WebSocket-upgrade channel with a `FirstRequestGuard` in each connection's
/// pipeline and every connection counted in a `ConnectionRegistry`.
struct GuardedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let registry: ConnectionRegistry
    let headerTimeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The inner setup completes on the channel's event loop, so the pipeline is still being built here.
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let admission = registry.admit(channel)
            try channel.pipeline.syncOperations.addHandler(
                FirstRequestGuard(registry: registry, admission: admission, headerTimeout: headerTimeout))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        // This logger serves only the connection's own trace and debug lines (requests log through the
        // application's), and HummingbirdWebSocket logs at `.error` every connection whose upgrade negotiation
        // ended without a request: each one the guard closed or answered. A hostile client would fill the log.
        var logger = logger
        if logger.logLevel > .debug { logger.logLevel = .critical }
        await inner.handle(value: value, logger: logger)
        // A failed upgrade negotiation returns without closing the connection.
        value.channel.close(promise: nil)
    }
}

extension HTTPServerBuilder {
    /// Swiftbase's server: HTTP/1.1 with the realtime WebSocket upgrade and `webSockets` (tried after it, in
    /// order), under `limits` (see `ConnectionLimits`).
    public static func swiftbase(
        services: HTTPServices, limits: ConnectionLimits, webSockets: [WebSocketUpgrade] = []
    ) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(maxConnections: limits.maxConnections)
        let shouldUpgrade = firstWebSocketUpgrade([RealtimeWebSocket.shouldUpgrade(services: services)] + webSockets)
        return .init { responder in
            GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(
                        http1: .init(
                            additionalChannelHandlers: [KeepAliveTracker(registry: registry)],
                            idleTimeout: .init(limits.idleTimeout))),
                    shouldUpgrade: shouldUpgrade),
                registry: registry, headerTimeout: limits.headerTimeout)
        }
    }
}
