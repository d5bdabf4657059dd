import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
public import SwiftbaseCore

/// Sends webhook messages with AsyncHTTPClient: one client, its pool keeping connections to each receiver
/// alive between messages; no redirects followed (a redirect could lead past the address check), no cookies.
/// The client is made at the first message (an app that never sends one — a CLI command — never has one to
/// close) and closed by `shutdown`.
public final class HTTPWebhookTransport: WebhookTransport {
    private enum State {
        case idle
        case open(HTTPClient)
        case closed
    }

    private let state = Mutex(State.idle)
    /// Recent address checks by host (nil: allowed; else why not), so a busy webhook does not resolve its
    /// host for every message.
    private let checked = Mutex([String: (until: ContinuousClock.Instant, refusal: String?)]())
    static let checkLifetime = Duration.seconds(10)

    /// The thread its connections live on, and the executor webhook workers should run on (see
    /// `BackgroundEventLoop`): then a delivery never crosses threads.
    public let background = BackgroundEventLoop()

    public init() {}

    /// Closes the pool's connections, then the background thread; later messages fail as connection errors.
    public func shutdown() async {
        let open = state.withLock { state -> HTTPClient? in
            defer { state = .closed }
            if case .open(let client) = state { return client }
            return nil
        }
        try? await open?.shutdown()
        await background.shutdown()
    }

    private func client() -> HTTPClient? {
        state.withLock { state in
            switch state {
            case .open(let client): return client
            case .closed: return nil
            case .idle:
                var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
                // A refused connection fails the attempt at once: the webhook's retry schedule is the retry.
                pool.retryConnectionEstablishment = false
                var configuration = HTTPClient.Configuration(
                    redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)), connectionPool: pool)
                configuration.httpVersion = .http1Only
                let client = HTTPClient(eventLoopGroup: background.group, configuration: configuration)
                state = .open(client)
                return client
            }
        }
    }

    public func send(_ request: WebhookRequest) async -> WebhookAttempt {
        let started = ContinuousClock.now
        func elapsed() -> Double { (ContinuousClock.now - started).milliseconds }
        if !request.allowPrivateTargets {
            guard let host = URL(string: request.url)?.host, !host.isEmpty else {
                return WebhookAttempt(outcome: .refused, error: "The URL \(request.url) has no host.")
            }
            if let refusal = await addressCheck(host) {
                return WebhookAttempt(outcome: .refused, durationMs: elapsed(), error: refusal)
            }
        }
        guard let client = client() else {
            return WebhookAttempt(outcome: .connectionError, error: "Swiftbase is shutting down.")
        }
        // The EventLoopFuture API, not `execute(_:timeout:)`: AsyncHTTPClient's async API starts a task on the
        // global executor for every request (to register its cancellation), which woke a cooperative thread per
        // delivery — work at normal priority, next to the requests, for a thread meant to yield to them. Here the
        // whole exchange stays on the background loop, and the awaiting worker resumes there too.
        do {
            var headers = HTTPHeaders()
            for header in request.headers { headers.add(name: header.name, value: header.value) }
            let outgoing = try HTTPClient.Request(
                url: request.url, method: .POST, headers: headers, body: .bytes(request.body))
            let deadline = NIODeadline.now() + TimeAmount.nanoseconds(request.timeout.nanoseconds)
            let exchange = client.execute(
                request: outgoing, delegate: ExcerptDelegate(), eventLoop: .delegate(on: background.loop),
                deadline: deadline)
            // A stopping dispatcher cancels its workers: the attempt in flight is abandoned at once, not awaited.
            let answer = try await withTaskCancellationHandler {
                try await exchange.futureResult.get()
            } onCancel: {
                exchange.cancel()
            }
            let status = answer.status
            let succeeded = (200..<300).contains(status)
            return WebhookAttempt(
                outcome: succeeded ? .succeeded : .httpError, status: status, body: answer.excerpt,
                durationMs: elapsed(), error: succeeded ? "" : "The receiver answered \(status).")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return WebhookAttempt(outcome: .timeout, durationMs: elapsed(), error: "No answer within \(request.timeout).")
        } catch {
            return WebhookAttempt(outcome: .connectionError, durationMs: elapsed(), error: "\(error)")
        }
    }

    /// Why `host` may not be reached (it resolves to a non-public address, or not at all); nil when it may.
    private func addressCheck(_ host: String) async -> String? {
        let now = ContinuousClock.now
        if let known = checked.withLock({ $0[host] }), known.until > now { return known.refusal }
        var refusal: String?
        do { try await OutboundAddress.check(host: host) } catch { refusal = "\(error)" }
        checked.withLock { checked in
            if checked.count >= 1_000 { checked.removeAll() }
            checked[host] = (now + Self.checkLifetime, refusal)
        }
        return refusal
    }
}

/// Reads an answer's status and the first `WebhookAttempt.bodyExcerptLimit` bytes of its body, as text; the rest is
/// read and dropped as it comes (the attempt's deadline bounds how long), so the connection can carry the next
/// message. Called on the connection's event loop only; the lock is for the compiler (never contended).
private final class ExcerptDelegate: HTTPClientResponseDelegate {
    struct Answer: Sendable {
        var status: Int
        var excerpt: String
    }

    private struct State {
        var status = 0
        var kept: [UInt8] = []
    }

    private let state = Mutex(State())

    func didReceiveHead(task: HTTPClient.Task<Answer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.status = Int(head.status.code) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Answer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        state.withLock { state in
            let room = WebhookAttempt.bodyExcerptLimit - state.kept.count
            if room > 0 { state.kept += buffer.readableBytesView.prefix(room) }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Answer>) throws -> Answer {
        state.withLock { Answer(status: $0.status, excerpt: String(decoding: $0.kept, as: UTF8.self)) }
    }
}
