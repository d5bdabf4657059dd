import CoreMetrics
import Foundation
import NIOCore
import Synchronization

/// The messages waiting for the clients whose sinks are on one event loop, and the one task at a time that
/// writes them there. The hub adds each change's messages for the loop in one call; the first addition
/// after a drain submits a drain to the loop, later ones join it. A drain writes everything waiting, in the
/// order added, then flushes each client it wrote to once: an idle loop sends a change as soon as it has it,
/// and a busy one sends all the changes that piled up meanwhile in one write per client rather than one per
/// change, so it catches up instead of falling further behind.
///
/// The hub adds a change's messages before it judges the next change, and drains run one after another on
/// the loop, so each client receives its events in commit order.
final class RealtimeLoopOutbox: Sendable {
    struct Write: Sendable {
        let client: RealtimeClient
        let sink: any RealtimeSink
        let message: RealtimeMessage
    }

    let eventLoop: any EventLoop
    private let metrics: RealtimeMetrics
    private let pending = Mutex<(writes: [Write], drainSubmitted: Bool)>(([], false))

    init(eventLoop: any EventLoop, metrics: RealtimeMetrics) {
        self.eventLoop = eventLoop
        self.metrics = metrics
    }

    func add(_ writes: [Write]) {
        let submit = pending.withLock { pending in
            pending.writes.append(contentsOf: writes)
            defer { pending.drainSubmitted = true }
            return !pending.drainSubmitted
        }
        if submit { eventLoop.execute { self.drain() } }
    }

    /// On the loop: writes what is waiting, then flushes each client written to, once.
    private func drain() {
        let writes = pending.withLock { pending in
            pending.drainSubmitted = false
            return pending.writes.take()
        }
        let now = Date()
        var delivered = 0
        var dropped = 0
        var written = Set<ObjectIdentifier>()
        var toFlush: [any RealtimeSink] = []
        for write in writes {
            switch write.client.write(write.message, to: write.sink, now: now) {
            case .queued:
                delivered += 1
                if written.insert(ObjectIdentifier(write.client)).inserted { toFlush.append(write.sink) }
            case .overflowed: dropped += 1
            case .closed: break
            }
        }
        for sink in toFlush { sink.flush() }
        if delivered > 0 { metrics.deliveredEvents.increment(by: Int64(delivered)) }
        if dropped > 0 { metrics.droppedClients.increment(by: Int64(dropped)) }
    }
}

extension Array {
    /// The elements, leaving the array empty (its storage goes with them).
    fileprivate mutating func take() -> [Element] {
        var taken: [Element] = []
        swap(&self, &taken)
        return taken
    }
}
