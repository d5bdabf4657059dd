public import Foundation
import SwiftbaseCore
import Synchronization

/// A connected realtime client: its id (40 random characters, the SSE `id:` of every event), the address it
/// connected from, the identity its last subscription request bound, its subscriptions, and where its
/// messages go — a `RealtimeSink` its transport gave (SSE: written from the connection's event loop), or else
/// a bounded queue its transport drains (WebSocket). Either way the backlog is bounded: a client that falls
/// `capacity` messages behind is disconnected rather than allowed to grow memory or slow the others.
public final class RealtimeClient: Sendable {
    public let id: String
    public let remoteIP: String
    public let connected: Date
    /// The transport's sink, or nil when the transport reads `messages`.
    public let sink: (any RealtimeSink)?
    /// The client's queue when it has no sink. With a sink nothing is ever queued; the stream only ends
    /// when the client is closed (`closed()`).
    public let messages: AsyncStream<RealtimeMessage>
    private let continuation: AsyncStream<RealtimeMessage>.Continuation
    private let capacity: Int
    private let state: Mutex<State>

    struct State {
        var auth: AuthContext = .guest
        var subscriptions: [String: RealtimeSubscription] = [:]
        var lastDelivery: Date
        var closedReason: String?
        /// Messages written to the sink in a row while its connection was not writable: the client's backlog
        /// beyond what the socket's buffers hold.
        var unwritable = 0
    }

    init(id: String, remoteIP: String, capacity: Int, now: Date, sink: (any RealtimeSink)? = nil) {
        self.id = id
        self.remoteIP = remoteIP
        self.connected = now
        self.sink = sink
        self.capacity = capacity
        (messages, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        state = Mutex(State(lastDelivery: now))
    }

    var auth: AuthContext { state.withLock { $0.auth } }
    var lastDelivery: Date { state.withLock { $0.lastDelivery } }
    public var closedReason: String? { state.withLock { $0.closedReason } }

    /// Returns once the client is closed (by the hub, its transport, or the task being cancelled).
    public func closed() async {
        for await _ in messages {}
    }

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

    /// Removes the subscription named exactly `topic`; false when there was none.
    func removeSubscription(_ topic: String) -> Bool {
        state.withLock { $0.subscriptions.removeValue(forKey: topic) != nil }
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

    /// Queues a message for a client without a sink; a full queue closes the client (it is too slow to be
    /// served).
    func send(_ message: RealtimeMessage, now: Date) -> Delivery {
        switch continuation.yield(message) {
        case .enqueued:
            state.withLock { $0.lastDelivery = now }
            return .queued
        case .dropped:
            close(reason: Self.tooSlow)
            return .overflowed
        case .terminated:
            return .closed
        @unknown default:
            return .closed
        }
    }

    /// On the sink's event loop: writes a message to the sink unless the client is closed. The connection
    /// buffers what the socket does not take yet; once it has stayed unwritable for more than `capacity`
    /// messages in a row, the client is closed as too slow, as a full queue closes a client without a sink.
    ///
    /// Checking for closure here, on the loop, is what lets a transport end its response safely: once it has
    /// seen the client closed and then run anything on the loop, no write of the hub's can follow.
    func write(_ message: RealtimeMessage, to sink: any RealtimeSink, now: Date) -> Delivery {
        let writable = sink.isWritable
        let delivery = state.withLock { state -> Delivery in
            guard state.closedReason == nil else { return .closed }
            state.unwritable = writable ? 0 : state.unwritable + 1
            guard state.unwritable <= capacity else { return .overflowed }
            state.lastDelivery = now
            return .queued
        }
        switch delivery {
        case .queued: sink.write(message)
        case .overflowed: close(reason: Self.tooSlow)
        case .closed: break
        }
        return delivery
    }

    private static let tooSlow = "too slow: its message queue overflowed"

    func close(reason: String) {
        state.withLock { state in
            if state.closedReason == nil { state.closedReason = reason }
        }
        continuation.finish()
    }
}
