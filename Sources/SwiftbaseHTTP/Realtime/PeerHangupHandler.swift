import NIOCore

/// Tells a long-lived response that its peer hung up. The server allows remote half-closure, so a client
/// closing its socket during an SSE stream shows up only as end-of-input, not as a closed channel, and a
/// stream with nothing to write would not notice for minutes. Put at the socket end of the pipeline (just
/// behind the `SSEEventWriter`) by the SSE route when its stream starts; it forwards everything unchanged.
final class PeerHangupHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var onHangup: (@Sendable () -> Void)?

    init(onHangup: @escaping @Sendable () -> Void) {
        self.onHangup = onHangup
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { hangUp() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        hangUp()
        context.fireChannelInactive()
    }

    private func hangUp() {
        onHangup?()
        onHangup = nil
    }
}
