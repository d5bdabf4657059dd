/// Mail to send after the request has been answered, as PocketBase sends verification, password-reset and
/// OTP mails in the background: the answer then takes the same time whether an account exists or not
/// (a synchronous SMTP round trip would tell them apart), and a slow mail server never holds a request.
///
/// The queue is bounded: past `capacity` waiting messages the oldest are dropped (and logged by the
/// consumer), never the process's memory. The delivery service consumes `jobs` and drains them at shutdown.
public final class MailQueue: Sendable {
    public struct Job: Sendable {
        public var message: MailMessage
        /// Called when delivery fails (e.g. an OTP whose code never left is deleted).
        public var onFailure: @Sendable () async -> Void
    }

    public let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init(capacity: Int = 10_000) {
        (jobs, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a message; false when the queue is full or finished (the caller logs it).
    @discardableResult
    public func enqueue(_ message: MailMessage, onFailure: @escaping @Sendable () async -> Void = {}) -> Bool {
        if case .enqueued = continuation.yield(Job(message: message, onFailure: onFailure)) { return true }
        return false
    }

    /// No more messages: the consumer sends what is queued and stops.
    public func finish() {
        continuation.finish()
    }
}
