import NIOCore
import NIOHTTP1
import SwiftbaseCore

/// Watches a connection until its first request reaches the application (or it upgrades to a WebSocket),
/// then leaves the pipeline.
///
/// Until then no other handler answers for it: Hummingbird's WebSocket-upgrade pipeline neither times out a
/// connection that never completes a request head nor answers a head that fails to parse before the upgrade
/// decision, so silent, slow (slowloris) and malformed connections each held a descriptor for ever. This
/// handler closes one that sends no whole head within `headerTimeout`, answers a parse error with 400 (431
/// for headers over the limit) and closes, and answers 503 to a connection admitted past the limit.
///
/// It sits after the upgrade handler, so it sees the head only once the application is about to handle it,
/// and it writes `HTTPServerResponsePart`s to the HTTP encoder in front of it.
final class FirstRequestGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    private enum State {
        case waiting
        case overloaded
        case answered
    }

    private let registry: ConnectionRegistry
    private let headerTimeout: Duration
    private var state: State
    private var timeout: Scheduled<Void>?

    init(registry: ConnectionRegistry, admission: ConnectionRegistry.Admission, headerTimeout: Duration) {
        self.registry = registry
        self.headerTimeout = headerTimeout
        self.state = admission == .overloaded ? .overloaded : .waiting
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { scheduleTimeout(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleTimeout(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .waiting:
            context.fireChannelRead(data)
            requestStarted(context)
        case .overloaded:
            respond(context, .serviceUnavailable, "The server is busy, please try again later.", retryAfter: 1)
        case .answered:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let upgraded = event is HTTPServerUpgradeEvents
        context.fireUserInboundEventTriggered(event)
        // Once upgraded, the HTTP encoder is gone: an HTTP response written from here would reach the socket
        // as a value it cannot write. An overloaded connection that upgraded is let through.
        if upgraded, state != .answered { requestStarted(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if case .answered = state { return }
        if parseError == .headerOverflow {
            respond(context, .requestHeaderFieldsTooLarge, "Request header fields too large.")
        } else {
            respond(context, .badRequest, "Malformed request.")
        }
    }

    private func requestStarted(_ context: ChannelHandlerContext) {
        registry.busy(context.channel)
        timeout?.cancel()
        timeout = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func scheduleTimeout(_ context: ChannelHandlerContext) {
        guard timeout == nil else { return }
        let channel = context.channel
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: .init(headerTimeout)) {
            // Nothing is answered to a client that never asked, not even the parse error its half head
            // makes when the connection closes.
            self.state = .answered
            channel.close(promise: nil)
        }
    }

    /// Writes a PocketBase-shaped error and closes once it is out. Reads that follow are dropped.
    private func respond(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ message: String, retryAfter: Int? = nil
    ) {
        state = .answered
        timeout?.cancel()
        timeout = nil
        var json: [UInt8] = []
        JSONWriter.write(["data": [:], "message": .string(message), "status": .number(Double(status.code))], into: &json)
        var headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("Content-Length", String(json.count)), ("Connection", "close"),
        ])
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: json)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
