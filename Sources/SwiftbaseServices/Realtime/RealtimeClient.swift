public import Foundation
import SwiftbaseCore
import Synchronization

/// One message for realtime clients: an event named after the subscription, carrying `data`, the JSON text of
/// `{"action", "record"}` with the subscription's `fields` projection applied. It is encoded once and shared
/// by every client with the same identity and subscription.
public struct RealtimeMessage: Sendable, Equatable {
    public var name: String
    public var data: String

    public init(name: String, data: String) {
        self.name = name
        self.data = data
    }
}

/// A connected realtime client: its id (40 random characters, the SSE `id:` of every event), the address it
/// connected from, the identity its last subscription request bound, its subscriptions, and a bounded queue
/// of messages its transport drains. A client that lets its queue fill is disconnected rather than allowed
/// to grow memory or slow the others.
public final class RealtimeClient: Sendable {
    public let id: String
    public let remoteIP: String
    public let connected: Date
    public let messages: AsyncStream<RealtimeMessage>
    private let continuation: AsyncStream<RealtimeMessage>.Continuation
    private let state: Mutex<State>

    struct State {
        var auth: AuthContext = .guest
        var subscriptions: [String: RealtimeSubscription] = [:]
        var lastDelivery: Date
        var closedReason: String?
    }

    init(id: String, remoteIP: String, capacity: Int, now: Date) {
        self.id = id
        self.remoteIP = remoteIP
        self.connected = now
        (messages, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        state = Mutex(State(lastDelivery: now))
    }

    var auth: AuthContext { state.withLock { $0.auth } }
    var lastDelivery: Date { state.withLock { $0.lastDelivery } }
    public var closedReason: String? { state.withLock { $0.closedReason } }

    /// The client's identity and those of its subscriptions that match one of `prefixes`, each with the index
    /// of the first prefix it matches.
    func subscriptions(matching prefixes: [String]) -> (AuthContext, [(RealtimeSubscription, Int)]) {
        state.withLock { state in
            (
                state.auth,
                state.subscriptions.values.compactMap { sub in prefixes.firstIndex(where: sub.matches).map { (sub, $0) } }
            )
        }
    }

    func replace(subscriptions: [String], auth: AuthContext) {
        state.withLock { state in
            state.auth = auth
            state.subscriptions = Dictionary(
                subscriptions.filter { !$0.isEmpty }.map { ($0, RealtimeSubscription($0)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    func clearAuth(ifRecord id: String) {
        state.withLock { state in
            if state.auth.record?.id == id { state.auth = .guest }
        }
    }

    func setAuth(_ auth: AuthContext, ifRecord id: String) {
        state.withLock { state in
            if state.auth.record?.id == id { state.auth = auth }
        }
    }

    enum Delivery { case queued, overflowed, closed }

    /// Queues a message; a full queue closes the client (it is too slow to be served).
    func send(_ message: RealtimeMessage, now: Date) -> Delivery {
        switch continuation.yield(message) {
        case .enqueued:
            state.withLock { $0.lastDelivery = now }
            return .queued
        case .dropped:
            close(reason: "too slow: its message queue overflowed")
            return .overflowed
        case .terminated:
            return .closed
        @unknown default:
            return .closed
        }
    }

    func close(reason: String) {
        state.withLock { state in
            if state.closedReason == nil { state.closedReason = reason }
        }
        continuation.finish()
    }
}
