import NIOCore
import Synchronization

/// The open connections, and which of them are idle: not yet sent a request, or kept alive between
/// requests. When a new connection would pass `ConnectionLimits.maxConnections`, the connection idle the
/// longest is closed to make room — a flood of silent or parked sockets evicts itself instead of locking
/// clients out; only when every connection is busy (answering, streaming realtime, upgraded) is the
/// newcomer told 503.
final class ConnectionRegistry: Sendable {
    enum Admission: Equatable {
        case admitted
        case overloaded
    }

    private struct Idle {
        var since: UInt64
        var channel: any Channel
    }

    private struct State {
        var open = 0
        var clock: UInt64 = 0
        var idle: [ObjectIdentifier: Idle] = [:]
    }

    let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    var openConnections: Int { state.withLock { $0.open } }

    /// Counts `channel` until it closes, idle until its first request. `.overloaded` when it is past the limit
    /// and no idle connection could be closed for it.
    func admit(_ channel: any Channel) -> Admission {
        let id = ObjectIdentifier(channel)
        let (admission, evicted) = state.withLock { state -> (Admission, (any Channel)?) in
            state.open += 1
            var evicted: (any Channel)?
            if state.open > maxConnections {
                guard let oldest = state.idle.min(by: { $0.value.since < $1.value.since }) else {
                    return (.overloaded, nil)
                }
                state.idle[oldest.key] = nil
                evicted = oldest.value.channel
            }
            state.clock += 1
            state.idle[id] = Idle(since: state.clock, channel: channel)
            return (.admitted, evicted)
        }
        evicted?.close(promise: nil)
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { state in
                state.open -= 1
                state.idle[id] = nil
            }
        }
        return admission
    }

    /// `channel` is reading or answering a request, or upgraded: it is not closed to make room.
    func busy(_ channel: any Channel) {
        _ = state.withLock { $0.idle.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// `channel` answered its requests and waits for the next one: the first to be closed to make room.
    func idle(_ channel: any Channel) {
        guard channel.isActive else { return }
        state.withLock { state in
            state.clock += 1
            state.idle[ObjectIdentifier(channel)] = Idle(since: state.clock, channel: channel)
        }
    }
}
