public import Foundation
public import SwiftbaseCore
import Synchronization

/// One message for one realtime client: an SSE event named after the subscription, carrying
/// `{"action", "record"}`; `fields` is the subscription's projection, applied to the record by the transport.
public struct RealtimeMessage: Sendable, Equatable {
    public var name: String
    public var action: String
    public var record: JSONValue
    public var fields: String
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

    func subscriptions(matching prefixes: [String]) -> (AuthContext, [RealtimeSubscription]) {
        state.withLock { state in
            (state.auth, state.subscriptions.values.filter { sub in prefixes.contains(where: sub.matches) })
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

    /// Queues a message; a full queue closes the client (it is too slow to be served).
    func send(_ message: RealtimeMessage, now: Date) {
        switch continuation.yield(message) {
        case .enqueued:
            state.withLock { $0.lastDelivery = now }
        case .dropped:
            close(reason: "too slow: its message queue overflowed")
        case .terminated:
            break
        @unknown default:
            break
        }
    }

    func close(reason: String) {
        state.withLock { state in
            if state.closedReason == nil { state.closedReason = reason }
        }
        continuation.finish()
    }
}
