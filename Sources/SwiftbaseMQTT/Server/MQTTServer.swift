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
    /// Who may publish and subscribe to what; nil lets every connected client do anything.
    let access: MQTTAccessControl?
    let host: String
    let port: Int
    /// Threads of the listener's own event loops. One by default, as Mosquitto: a message from one client to
    /// another then never crosses threads — no hand-over of the outbox between loops, no wake-up of a sleeping
    /// loop per delivery — which measured (Benchmarks/compare/mqtt.py, 2 cores) a third less CPU per QoS 0
    /// message, more throughput in every cell and a lower latency than the process's shared two loops.
    /// More threads serve more clients at once on a larger machine.
    let threads: Int
    let logger: Logger
    let metrics: MQTTMetrics
    /// Where persistent sessions and retained messages outlive a restart; nil keeps them in memory only.
    var persistence: MQTTStatePersistence?
    /// Publishes committed record changes under `$swiftbase/records/…`; nil publishes none.
    var bridge: MQTTRecordBridge?
    /// Turns matching publishes into records; nil ingests nothing.
    var ingest: MQTTIngestService?
    /// TLS for every connection (`--mqtt-tls-cert/--mqtt-tls-key`); nil speaks plain TCP.
    let tls: MQTTTLSFiles?
    /// Messages waiting for one client's socket before more QoS 0 ones are dropped (from half of it on, the
    /// connections feeding that client are held back for up to a second).
    var maximumQueuedPerClient = 1000
    let onListening: @Sendable (Int) async -> Void

    public init(
        broker: MQTTBroker, authenticator: MQTTAuthenticator, access: MQTTAccessControl? = nil, host: String,
        port: Int, threads: Int = 1, logger: Logger,
        metrics: MQTTMetrics = MQTTMetrics(), tls: MQTTTLSFiles? = nil, persistence: MQTTStatePersistence? = nil,
        bridge: MQTTRecordBridge? = nil, ingest: MQTTIngestService? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.broker = broker
        self.authenticator = authenticator
        self.access = access
        self.host = host
        self.port = port
        self.threads = max(1, threads)
        self.logger = logger
        self.metrics = metrics
        self.tls = tls
        self.persistence = persistence
        self.bridge = bridge
        self.ingest = ingest
        self.onListening = onListening
    }

    public func run() async throws {
        let tlsContext = try tls.map { try $0.context() }
        try await persistence?.restore(into: broker)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            try await serve(on: group, tlsContext: tlsContext)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func serve(on eventLoops: MultiThreadedEventLoopGroup, tlsContext: NIOSSLContext?) async throws {
        let broker = broker
        let authenticator = authenticator
        let access = access
        let maximumQueued = maximumQueuedPerClient
        let metrics = metrics
        let logger = logger
        let persistence = persistence
        let channel = try await ServerBootstrap(group: eventLoops)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Each connection keeps its receive buffer between reads: start it small (an idle client sent one
            // CONNECT), it doubles on every read that fills it.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65_536))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        MQTTChannelHandler(
                            broker: broker, authenticator: authenticator, access: access, maximumQueued: maximumQueued,
                            connectTimeout: .seconds(10), logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        let bound = channel.localAddress?.port ?? port
        logger.info(
            "MQTT listening", metadata: ["sb.mqtt.address": "\(host):\(bound)", "sb.mqtt.tls": "\(tls != nil)"])
        await onListening(bound)
        let bridge = bridge
        let ingest = ingest
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let bridge { group.addTask { await bridge.run() } }
            if let ingest {
                broker.onClientPublish { topic, payload, identity in
                    ingest.offer(topic: topic, payload: payload, identity: identity)
                }
                group.addTask { await ingest.run() }
            }
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    var last = MQTTBrokerStatistics()
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(1))
                        broker.tick(now: .now)
                        await persistence?.flush(broker)
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
        // After every connection closed: the sessions as their clients left them.
        await persistence?.flush(broker)
    }
}
