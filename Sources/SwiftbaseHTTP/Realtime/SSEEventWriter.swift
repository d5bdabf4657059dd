import NIOCore
import NIOHTTPTypes
import SwiftbaseServices

/// Writes a realtime client's events into its Server-Sent Events response, from the connection's event loop:
/// each event is the client's `id:<clientId>\n` line (made once per client) then the message's shared
/// `event:…\ndata:…\n\n` bytes (made once per message).
///
/// It sits first in the pipeline, next to the socket, so it sees the bytes of the response head go by. When
/// that head frames the body in chunks — as it does for every streamed HTTP/1.1 response here — the writer
/// frames each event as one chunk itself and writes it straight to the socket: an event then costs one small
/// buffer and no trip through the eight handlers (connection state, keep-alive tracking, the two HTTP codecs,
/// …) that would each wrap, unwrap and pass it on. Any other head, or none seen, and events enter at the
/// pipeline's tail as body parts, exactly where the response's own writer puts them.
///
/// Its state is touched on the channel's event loop only (as `RealtimeSink` is used), hence `@unchecked`.
final class SSEEventWriter: ChannelDuplexHandler, RemovableChannelHandler, RealtimeSink, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    let eventLoop: any EventLoop
    private let channel: any Channel
    private let idLine: ByteBuffer
    private let allocator: ByteBufferAllocator
    private var context: ChannelHandlerContext?
    private var framing = Framing.unknown
    private(set) var isWritable = true

    private enum Framing {
        /// The response head has not gone by yet.
        case unknown
        /// The body is chunked: events are framed here.
        case chunked
        /// Anything else: events go through the HTTP encoder.
        case encoder
    }

    init(channel: any Channel, clientID: String) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.allocator = channel.allocator
        self.idLine = ByteBuffer(string: "id:" + clientID + "\n")
    }

    // MARK: - Channel handler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isWritable = context.channel.isWritable
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        framing = .encoder
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    /// The first bytes written after this handler joined the pipeline are the head of the event stream's
    /// response (the request's handler adds it, and nothing else writes on the connection until that
    /// response is done).
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .unknown = framing {
            if case .byteBuffer(let head) = unwrapOutboundIn(data), Self.isChunkedHead(head) {
                framing = .chunked
            } else {
                framing = .encoder
            }
        }
        context.write(data, promise: promise)
    }

    /// Whether `bytes` are an HTTP/1.1 response head announcing `Transfer-Encoding: chunked`.
    static func isChunkedHead(_ bytes: ByteBuffer) -> Bool {
        let head = String(buffer: bytes).lowercased()
        guard head.hasPrefix("http/1.1 "), let end = head.firstRange(of: "\r\n\r\n") else { return false }
        return head[..<end.upperBound].contains("\r\ntransfer-encoding: chunked\r\n")
    }

    // MARK: - Realtime sink

    func write(_ message: RealtimeMessage) {
        guard case .chunked = framing, let context else {
            let pipeline = channel.pipeline.syncOperations
            pipeline.write(NIOAny(HTTPResponsePart.body(idLine)), promise: nil)
            pipeline.write(NIOAny(HTTPResponsePart.body(message.event)), promise: nil)
            return
        }
        let size = idLine.readableBytes + message.event.readableBytes
        let length = String(size, radix: 16)
        var chunk = allocator.buffer(capacity: length.utf8.count + size + 4)
        chunk.writeString(length)
        chunk.writeStaticString("\r\n")
        chunk.writeImmutableBuffer(idLine)
        chunk.writeImmutableBuffer(message.event)
        chunk.writeStaticString("\r\n")
        context.write(wrapOutboundOut(.byteBuffer(chunk)), promise: nil)
    }

    func flush() {
        if case .chunked = framing, let context {
            context.flush()
        } else {
            channel.pipeline.syncOperations.flush()
        }
    }
}
