import NIOCore
import NIOHTTP1
import SwiftbaseCore

/// The last handler of a webhook connection's pipeline (after swift-nio's HTTP/1.1 client codec): a
/// `WebhookExchangeHandler.Request` written to the channel sends one request and collects its answer — the
/// status, the first `WebhookAttempt.bodyExcerptLimit` bytes of the body (the rest is read and dropped), and
/// whether the connection may carry the next request. One request at a time.
///
/// The request's head, body and end are written together and flushed once, so a message leaves in one
/// `writev` and wakes its receiver once (AsyncHTTPClient flushed the head and the body apart: two segments,
/// two wake-ups of the receiver, per message). Used on the connection's event loop only.
final class WebhookExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Request
    typealias OutboundOut = HTTPClientRequestPart

    /// One request, and where its answer goes.
    struct Request: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer
        var deadline: NIODeadline
        var answer: EventLoopPromise<Answer>
    }

    struct Answer: Sendable {
        var status: Int
        var excerpt: [UInt8]
        /// False when the receiver asked to close (`Connection: close`, HTTP/1.0 without keep-alive).
        var keepAlive: Bool
    }

    enum Failure: Error, CustomStringConvertible {
        /// The connection ended before a whole answer; `answered` tells whether any of one had arrived.
        case closed(answered: Bool)
        /// The connection failed (reset, a malformed answer…).
        case broken(any Error, answered: Bool)
        /// A request was written while another was under way.
        case busy
        case timedOut

        /// Whether the receiver may never have seen the request: nothing of an answer came back.
        var unanswered: Bool {
            switch self {
            case .closed(let answered), .broken(_, let answered): !answered
            case .busy: true
            case .timedOut: false
            }
        }

        var description: String {
            switch self {
            case .closed(let answered):
                answered
                    ? "The receiver closed the connection in the middle of its answer."
                    : "The receiver closed the connection without answering."
            case .broken(let error, _): "\(error)"
            case .busy: "The connection was busy."
            case .timedOut: "No answer in time."
            }
        }
    }

    private struct Exchange {
        let promise: EventLoopPromise<Answer>
        var timer: Scheduled<Void>?
        var status = 0
        var keepAlive = true
        var answered = false
        var kept: [UInt8] = []
    }

    private var exchange: Exchange?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard exchange == nil else {
            request.answer.fail(Failure.busy)
            promise?.fail(Failure.busy)
            return
        }
        var started = Exchange(promise: request.answer)
        started.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: request.deadline) { [self] in
            finish(.failure(Failure.timedOut))
            // A late answer could not be told apart from the next request's.
            context.close(promise: nil)
        }
        exchange = started
        // A channel that closed before this write (a TLS handshake that failed) sends no event any more: the
        // write's own failure ends the exchange.
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [self] error in
            finish(.failure(Failure.broken(error, answered: false)))
        }
        if let promise { written.futureResult.cascade(to: promise) }
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard exchange != nil else {
            // An answer nobody asked for: the connection's framing can no longer be trusted.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            exchange?.answered = true
            exchange?.status = Int(head.status.code)
            exchange?.keepAlive = head.isKeepAlive
        case .body(let buffer):
            let room = WebhookAttempt.bodyExcerptLimit - (exchange?.kept.count ?? 0)
            if room > 0 { exchange?.kept += buffer.readableBytesView.prefix(room) }
        case .end:
            guard let done = exchange else { return }
            let answer = Answer(status: done.status, excerpt: done.kept, keepAlive: done.keepAlive)
            finish(.success(answer))
            if !answer.keepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(Failure.closed(answered: exchange?.answered ?? false)))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(Failure.broken(error, answered: exchange?.answered ?? false)))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<Answer, any Error>) {
        guard let done = exchange else { return }
        exchange = nil
        done.timer?.cancel()
        done.promise.completeWith(result)
    }
}
