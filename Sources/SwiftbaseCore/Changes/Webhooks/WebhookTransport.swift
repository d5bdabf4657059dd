/// What sends a webhook's message: the HTTP client lives outside the core (see `HTTPWebhookTransport` in
/// SwiftbaseServices); the core decides what to send, when, and what the outcome means.
public protocol WebhookTransport: Sendable {
    /// POSTs `request.body` to `request.url` and reports what happened. Never throws: every failure is an
    /// outcome the deliveries log records.
    func send(_ request: WebhookRequest) async -> WebhookAttempt
}

public struct WebhookRequest: Sendable {
    public var url: String
    /// In order: the webhook's own headers, then `content-type` and the Standard Webhooks headers.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration
    /// Whether a target that resolves to a loopback, private, link-local or unique-local address may be reached.
    public var allowPrivateTargets: Bool
}

/// The result of one attempt.
public struct WebhookAttempt: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// A 2xx answer.
        case succeeded
        /// Any other answer.
        case httpError = "http_error"
        case connectionError = "connection_error"
        case timeout
        /// Not sent: the target is not allowed (a private address while `allowPrivateTargets` is off, a bad URL).
        case refused
    }

    public var outcome: Outcome
    /// The HTTP status; 0 when there was no answer.
    public var status: Int
    /// The first 1 KiB of the answer's body, as text.
    public var body: String
    public var durationMs: Double
    /// Why it failed, for people; empty on success.
    public var error: String

    public init(outcome: Outcome, status: Int = 0, body: String = "", durationMs: Double = 0, error: String = "") {
        self.outcome = outcome
        self.status = status
        self.body = body
        self.durationMs = durationMs
        self.error = error
    }

    public var succeeded: Bool { outcome == .succeeded }

    /// How much of an answer's body is kept.
    public static let bodyExcerptLimit = 1024
}

/// Where delivery reports what it does (metrics in the server; nothing by default).
public struct WebhookObserver: Sendable {
    /// Every attempt's outcome.
    public var attempted: @Sendable (WebhookAttempt.Outcome) -> Void
    /// A change delivered (at any attempt), with the time from its commit to the receiver's 2xx.
    public var delivered: @Sendable (Duration) -> Void
    /// A message of a change settled: delivered (at any attempt) or failed for good.
    public var settled: @Sendable (WebhookDelivery.Status) -> Void

    public init(
        attempted: @escaping @Sendable (WebhookAttempt.Outcome) -> Void, delivered: @escaping @Sendable (Duration) -> Void,
        settled: @escaping @Sendable (WebhookDelivery.Status) -> Void
    ) {
        self.attempted = attempted
        self.delivered = delivered
        self.settled = settled
    }

    public static let none = WebhookObserver(attempted: { _ in }, delivered: { _ in }, settled: { _ in })
}
