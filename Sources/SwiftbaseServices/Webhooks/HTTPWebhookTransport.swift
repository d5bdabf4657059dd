import NIOCore
import NIOHTTP1
package import NIOSSL
import Synchronization
public import SwiftbaseCore

/// Sends webhook messages over keep-alive HTTP/1.1 connections of its own (swift-nio's HTTP codec, with TLS
/// from swift-nio-ssl for `https` targets), kept between messages by `WebhookConnectionPool`. No redirects are
/// followed (a redirect could lead past the address check), no cookies are kept.
///
/// Why not AsyncHTTPClient, which Swiftbase uses for other outbound requests: a delivery must go to the address
/// that was checked, and AsyncHTTPClient resolves the name again when it connects (a DNS server answering
/// differently the second time — rebinding — could point it at a private address); and it flushes a request's
/// head and body apart, two segments and two wake-ups of the receiver per message, with a connection pool and
/// state machines around each request that a worker sending one message at a time does not need. Measured on
/// a 2-core VM with 20 webhooks draining a backlog: about 205 µs of server CPU per delivery through
/// AsyncHTTPClient.
public final class HTTPWebhookTransport: WebhookTransport {
    /// The thread its connections live on, and the executor webhook workers should run on (see
    /// `BackgroundEventLoop`): then a delivery never crosses threads.
    public let background = BackgroundEventLoop()
    private let pool: WebhookConnectionPool
    private let closed = Atomic<Bool>(false)
    /// Recent resolutions by host, so a webhook does not resolve its host for every new connection.
    private let resolutions = OutboundResolutions()
    /// Parsed URLs, so a busy webhook does not parse its URL for every message.
    private let targets = Mutex([String: WebhookTarget]())
    static let connectTimeout = Duration.seconds(5)

    public convenience init() {
        self.init(tlsConfiguration: .makeClientConfiguration())
    }

    /// `tlsConfiguration` decides which certificates `https` targets are trusted with (the system's by default).
    package init(tlsConfiguration: TLSConfiguration) {
        pool = WebhookConnectionPool(loop: background.loop, tlsConfiguration: tlsConfiguration)
    }

    /// Closes the kept connections, then the background thread; later messages fail as connection errors.
    public func shutdown() async {
        closed.store(true, ordering: .relaxed)
        pool.close()
        await background.shutdown()
    }

    public func send(_ request: WebhookRequest) async -> WebhookAttempt {
        let started = ContinuousClock.now
        func elapsed() -> Double { (ContinuousClock.now - started).milliseconds }
        guard let target = target(for: request.url) else {
            return WebhookAttempt(outcome: .refused, error: "The URL \(request.url) is not an http:// or https:// URL with a host.")
        }
        guard !closed.load(ordering: .relaxed) else {
            return WebhookAttempt(outcome: .connectionError, error: "Swiftbase is shutting down.")
        }
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(request.timeout.nanoseconds)
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        headers.add(name: "host", value: target.hostHeader)
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "content-length", value: String(request.body.count))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.requestTarget, headers: headers)
        let body = ByteBuffer(bytes: request.body)
        do {
            let answer = try await exchange(head, body: body, target: target, allowPrivate: request.allowPrivateTargets, deadline: deadline)
            let succeeded = (200..<300).contains(answer.status)
            return WebhookAttempt(
                outcome: succeeded ? .succeeded : .httpError, status: answer.status,
                body: String(decoding: answer.excerpt, as: UTF8.self), durationMs: elapsed(),
                error: succeeded ? "" : "The receiver answered \(answer.status).")
        } catch let refusal as OutboundAddress.Refusal {
            // A name that does not resolve may resolve later (a DNS hiccup): a connection error, not a refusal.
            let outcome: WebhookAttempt.Outcome = if case .unresolvable = refusal { .connectionError } else { .refused }
            return WebhookAttempt(outcome: outcome, durationMs: elapsed(), error: "\(refusal)")
        } catch WebhookExchangeHandler.Failure.timedOut {
            return WebhookAttempt(outcome: .timeout, durationMs: elapsed(), error: "No answer within \(request.timeout).")
        } catch {
            return WebhookAttempt(outcome: .connectionError, durationMs: elapsed(), error: "\(error)")
        }
    }

    /// Sends over a kept connection when there is one (and it may still be used), else over a new one. A kept
    /// connection may have been closed by the receiver a moment before (its own idle timeout): a request that
    /// got nothing back on it goes once more on a new connection — the message keeps its `webhook-id`, so a
    /// receiver that did see it can tell.
    private func exchange(
        _ head: HTTPRequestHead, body: ByteBuffer, target: WebhookTarget, allowPrivate: Bool, deadline: NIODeadline
    ) async throws -> WebhookExchangeHandler.Answer {
        if let kept = pool.take(target.origin) {
            if allowPrivate || OutboundAddress.isPublic(kept.address) {
                do {
                    let answer = try await kept.exchange(head: head, body: body, deadline: deadline)
                    if answer.keepAlive { pool.giveBack(kept, to: target.origin) }
                    return answer
                } catch let failure as WebhookExchangeHandler.Failure where failure.unanswered && !Task.isCancelled {
                    kept.close()
                }
            } else {
                kept.close()  // made while private targets were allowed
            }
        }
        let connection = try await connect(target, allowPrivate: allowPrivate, deadline: deadline)
        let answer = try await connection.exchange(head: head, body: body, deadline: deadline)
        if answer.keepAlive { pool.giveBack(connection, to: target.origin) }
        return answer
    }

    /// A new connection to one of the addresses `target`'s host resolves to (checked unless `allowPrivate`),
    /// trying them in order.
    private func connect(_ target: WebhookTarget, allowPrivate: Bool, deadline: NIODeadline) async throws -> WebhookConnection {
        let addresses = try await resolutions.addresses(of: target.origin.host, allowPrivate: allowPrivate)
        var lastError: any Error = WebhookExchangeHandler.Failure.timedOut
        for address in addresses {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw WebhookExchangeHandler.Failure.timedOut }
            let timeout = min(remaining, TimeAmount.nanoseconds(Self.connectTimeout.nanoseconds))
            do {
                return try await pool.connect(to: address, origin: target.origin, connectTimeout: timeout)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private func target(for url: String) -> WebhookTarget? {
        if let known = targets.withLock({ $0[url] }) { return known }
        guard let parsed = WebhookTarget(url: url) else { return nil }
        targets.withLock { targets in
            if targets.count >= 1_000 { targets.removeAll() }
            targets[url] = parsed
        }
        return parsed
    }
}
