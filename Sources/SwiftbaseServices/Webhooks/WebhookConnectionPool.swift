import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One keep-alive connection to a webhook receiver, and the address it was made to — the one that was checked,
/// so a DNS answer that changes later (rebinding) cannot move it.
struct WebhookConnection: Sendable {
    let channel: any Channel
    let address: OutboundAddress.Bytes

    /// Sends one request over it; the answer, or a `WebhookExchangeHandler.Failure` (or the channel's error).
    func exchange(head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline) async throws -> WebhookExchangeHandler.Answer {
        let answer = channel.eventLoop.makePromise(of: WebhookExchangeHandler.Answer.self)
        // A channel that closed a moment ago has no handlers left to answer: its failed write ends the exchange
        // (a promise completed twice keeps the first result).
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { answer.fail(WebhookExchangeHandler.Failure.broken($0, answered: false)) }
        channel.writeAndFlush(
            WebhookExchangeHandler.Request(head: head, body: body, deadline: deadline, answer: answer), promise: written)
        // A stopping dispatcher cancels its workers: the attempt in flight is abandoned at once, not awaited.
        return try await withTaskCancellationHandler {
            try await answer.futureResult.get()
        } onCancel: { [channel] in
            channel.close(promise: nil)
        }
    }

    func close() { channel.close(promise: nil) }
}

/// Webhook connections kept open between messages, by origin: a worker takes one, sends, and gives it back.
/// Every webhook sends one message at a time, so an origin has at most as many connections as webhooks sending
/// to it. Idle ones are closed after `idleTimeout`, or at once when the receiver hangs up; what a worker takes
/// may still have been closed a moment before (the receiver's own idle timeout), which the transport handles
/// by sending once more on a new connection.
final class WebhookConnectionPool: Sendable {
    static let idleTimeout = TimeAmount.seconds(60)
    static let maxIdlePerOrigin = 64

    private struct Idle {
        var connection: WebhookConnection
        var since: NIODeadline
    }

    private struct State {
        var idle: [WebhookTarget.Origin: [Idle]] = [:]
        var closed = false
        var sweeper: RepeatedTask?
        var tls: NIOSSLContext?
    }

    let loop: any EventLoop
    private let state = Mutex(State())
    private let tlsConfiguration: TLSConfiguration

    init(loop: any EventLoop, tlsConfiguration: TLSConfiguration = .makeClientConfiguration()) {
        self.loop = loop
        self.tlsConfiguration = tlsConfiguration
    }

    /// An open idle connection to `origin`, the most recently used first; nil when there is none.
    func take(_ origin: WebhookTarget.Origin) -> WebhookConnection? {
        var stale: [WebhookConnection] = []
        defer { stale.forEach { $0.close() } }
        return state.withLock { state in
            while let last = state.idle[origin]?.popLast() {
                if last.connection.channel.isActive { return last.connection }
                stale.append(last.connection)
            }
            return nil
        }
    }

    /// Keeps `connection` for the next message to `origin`, unless it is closed, the pool is, or the origin has
    /// enough idle connections already.
    func giveBack(_ connection: WebhookConnection, to origin: WebhookTarget.Origin) {
        guard connection.channel.isActive else { return }
        let kept = state.withLock { state in
            guard !state.closed, state.idle[origin, default: []].count < Self.maxIdlePerOrigin else { return false }
            state.idle[origin, default: []].append(Idle(connection: connection, since: .now()))
            if state.sweeper == nil {
                state.sweeper = loop.scheduleRepeatedTask(initialDelay: Self.idleTimeout, delay: .seconds(30)) {
                    [weak self] _ in self?.sweep()
                }
            }
            return true
        }
        if !kept { connection.close() }
    }

    /// Opens a connection to `address` (connecting for at most `connectTimeout`), with TLS when `origin` asks for it.
    func connect(to address: OutboundAddress.Bytes, origin: WebhookTarget.Origin, connectTimeout: TimeAmount) async throws
        -> WebhookConnection
    {
        let tls = origin.tls ? try tlsContext() : nil
        // SNI and the certificate's name check need the host name; an IP literal has none to send.
        let serverHostname = OutboundAddress.isLiteral(origin.host) ? nil : origin.host
        let socketAddress = try SocketAddress(packedIPAddress: ByteBuffer(bytes: address), port: origin.port)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(WebhookExchangeHandler())
                }
            }
            .connect(to: socketAddress).get()
        return WebhookConnection(channel: channel, address: address)
    }

    /// Closes every idle connection and keeps none from now on.
    func close() {
        let (idle, sweeper) = state.withLock { state in
            defer {
                state.idle = [:]
                state.closed = true
                state.sweeper = nil
            }
            return (state.idle.values.joined().map(\.connection), state.sweeper)
        }
        sweeper?.cancel()
        idle.forEach { $0.close() }
    }

    /// Closes the connections idle for longer than `idleTimeout` (and those the receiver closed).
    private func sweep() {
        let limit = NIODeadline.now() - Self.idleTimeout
        let expired = state.withLock { state -> [WebhookConnection] in
            var expired: [WebhookConnection] = []
            for (origin, connections) in state.idle {
                let (old, fresh) = connections.reduce(into: ([Idle](), [Idle]())) { split, idle in
                    if idle.since < limit || !idle.connection.channel.isActive { split.0.append(idle) } else { split.1.append(idle) }
                }
                expired += old.map(\.connection)
                state.idle[origin] = fresh.isEmpty ? nil : fresh
            }
            return expired
        }
        expired.forEach { $0.close() }
    }

    /// The TLS context, made at the first `https` target (loading the system's trust roots takes a while).
    private func tlsContext() throws -> NIOSSLContext {
        try state.withLock { state in
            if let tls = state.tls { return tls }
            let tls = try NIOSSLContext(configuration: tlsConfiguration)
            state.tls = tls
            return tls
        }
    }
}
