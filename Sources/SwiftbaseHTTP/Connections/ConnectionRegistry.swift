import NIOCore
import Synchronization

/// The open connections, and which of them have not sent a request yet. When a new connection would pass
/// `ConnectionLimits.maxConnections`, the one that has waited longest without a request is closed to make
/// room — a flood of silent sockets evicts itself instead of locking clients out; only when every
/// connection is busy is the newcomer told 503.
final class ConnectionRegistry: Sendable {
    enum Admission: Equatable {
        case admitted
        case overloaded
    }

    private struct Waiting {
        var order: UInt64
        var channel: any Channel
    }

    private struct State {
        var open = 0
        var nextOrder: UInt64 = 0
        var waiting: [ObjectIdentifier: Waiting] = [:]
    }

    let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    var openConnections: Int { state.withLock { $0.open } }

    /// Counts `channel` until it closes. `.overloaded` when it is past the limit and no waiting connection
    /// could be closed for it.
    func admit(_ channel: any Channel) -> Admission {
        let id = ObjectIdentifier(channel)
        let (admission, evicted) = state.withLock { state -> (Admission, (any Channel)?) in
            state.open += 1
            var evicted: (any Channel)?
            if state.open > maxConnections {
                guard let oldest = state.waiting.min(by: { $0.value.order < $1.value.order }) else {
                    return (.overloaded, nil)
                }
                state.waiting[oldest.key] = nil
                evicted = oldest.value.channel
            }
            state.waiting[id] = Waiting(order: state.nextOrder, channel: channel)
            state.nextOrder += 1
            return (.admitted, evicted)
        }
        evicted?.close(promise: nil)
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { state in
                state.open -= 1
                state.waiting[id] = nil
            }
        }
        return admission
    }

    /// `channel` sent its first request (or upgraded): it is no longer closed to make room.
    func requestStarted(on channel: any Channel) {
        _ = state.withLock { $0.waiting.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
