public import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import ServiceLifecycle

/// The MQTT listener over TCP (`swiftbase serve --mqtt 127.0.0.1:1883`): a NIO server whose connections speak to
/// one `MQTTBroker`, and the clock that drives the broker's keep-alive and expiries. A `Service`: graceful
/// shutdown stops accepting, tells MQTT 5 clients the server is shutting down and closes every connection.
public struct MQTTServer: Service {
    public let broker: MQTTBroker
    let authenticator: MQTTAuthenticator
    let host: String
    let port: Int
    let logger: Logger
    let metrics: MQTTMetrics
    /// TLS for every connection (`--mqtt-tls-cert/--mqtt-tls-key`); nil speaks plain TCP.
    let tls: MQTTTLSFiles?
    /// QoS 0 messages waiting for one client's socket before more are dropped.
    var maximumQueuedPerClient = 1000
    let onListening: @Sendable (Int) async -> Void

    public init(
        broker: MQTTBroker, authenticator: MQTTAuthenticator, host: String, port: Int, logger: Logger,
        metrics: MQTTMetrics = MQTTMetrics(), tls: MQTTTLSFiles? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.broker = broker
        self.authenticator = authenticator
        self.host = host
        self.port = port
        self.logger = logger
        self.metrics = metrics
        self.tls = tls
        self.onListening = onListening
    }

    public func run() async throws {
        let broker = broker
        let authenticator = authenticator
        let maximumQueued = maximumQueuedPerClient
        let metrics = metrics
        let tlsContext = try tls.map { try $0.context() }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        MQTTChannelHandler(
                            broker: broker, authenticator: authenticator, maximumQueued: maximumQueued,
                            connectTimeout: .seconds(10)))
                }
            }
            .bind(host: host, port: port).get()
        let bound = channel.localAddress?.port ?? port
        logger.info(
            "MQTT listening", metadata: ["sb.mqtt.address": "\(host):\(bound)", "sb.mqtt.tls": "\(tls != nil)"])
        await onListening(bound)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    var last = MQTTBrokerStatistics()
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(1))
                        broker.tick(now: .now)
                        let statistics = broker.statistics
                        metrics.record(statistics, since: last)
                        last = statistics
                    }
                }
            }
            // The listener closes on graceful shutdown and on cancellation alike (closeFuture ignores cancellation).
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await channel.closeFuture.get()
                } onGracefulShutdown: {
                    channel.close(promise: nil)
                }
            } onCancel: {
                channel.close(promise: nil)
            }
            broker.shutdown(now: .now)
            group.cancelAll()
        }
    }
}
