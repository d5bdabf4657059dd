import NIOCore
import NIOHTTPTypes

/// Tells the `ConnectionRegistry` when a kept-alive connection is between requests (every response ended,
/// so closing it loses nothing) and when it is busy again. In each HTTP/1.1 pipeline after the codec.
final class KeepAliveTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    /// Requests read whose responses have not ended (HTTP/1.1 may pipeline).
    private var inFlight = 0

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            if inFlight == 1 { registry.busy(context.channel) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), inFlight > 0 {
            inFlight -= 1
            if inFlight == 0 { registry.idle(context.channel) }
        }
        context.write(data, promise: promise)
    }
}
