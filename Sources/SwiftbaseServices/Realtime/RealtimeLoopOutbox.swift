import CoreMetrics
import Foundation
import NIOCore
import Synchronization

/// The messages waiting for the clients whose sinks are on one event loop, and the one drain at a time that
/// writes them there.
///
/// The hub adds each change's messages for the loop in one call; the first addition while no drain runs
/// submits one. A drain takes everything waiting, groups it by client (each client's messages in the order
/// added), writes each client's messages and flushes it once — a busy loop sends all the changes that piled
/// up meanwhile in one write per client, so it catches up instead of falling further behind — and then
/// drains again if more arrived. Additions made during a drain wait for the next one, and drains run one
/// after another, so each client receives its events in commit order.
///
/// A drain writes `sliceSize` clients at a time and pauses the loop's task queue for `pause` between slices
/// (a task due later ends the loop's tick): the loop then reads and writes its other connections, so a
/// request or response sharing the loop with thousands of subscribers waits for one slice, not the whole
/// fan-out. Without it, each create's own request and response queue behind the fan-out of the previous
/// change, and the creates, not the writes, set the pace. The turn is given only while realtime is less
/// than `maxLag` behind: further behind, the loop writes on without pausing, so writers sharing it slow
/// down until realtime catches up, rather than realtime lagging further and further behind a flood of
/// writes.
final class RealtimeLoopOutbox: Sendable {
    struct Write: Sendable {
        let client: RealtimeClient
        let sink: any RealtimeSink
        let message: RealtimeMessage
    }

    /// Clients written between two turns of the loop's other work.
    static let sliceSize = 32
    /// Long enough that the next slice is not yet due when the loop looks for its next task.
    static let pause = TimeAmount.microseconds(20)
    /// How far behind (the age of the oldest message waiting) realtime may fall before the loop stops giving
    /// its other connections a turn between slices.
    static let maxLag = TimeAmount.milliseconds(30)

    let eventLoop: any EventLoop
    private let metrics: RealtimeMetrics
    private let pending = Mutex<Pending>(Pending())

    private struct Pending {
        var writes: [Write] = []
        /// When the oldest of `writes` was added.
        var since = NIODeadline.distantFuture
        var draining = false
        var settledWaiters: [EventLoopPromise<Void>] = []
    }

    /// One client's messages of a drain, in order.
    private struct Delivery {
        let client: RealtimeClient
        let sink: any RealtimeSink
        var messages: [RealtimeMessage]
    }

    init(eventLoop: any EventLoop, metrics: RealtimeMetrics) {
        self.eventLoop = eventLoop
        self.metrics = metrics
    }

    func add(_ writes: [Write]) {
        let now = NIODeadline.now()
        let submit = pending.withLock { pending in
            if pending.writes.isEmpty { pending.since = now }
            pending.writes.append(contentsOf: writes)
            defer { pending.draining = true }
            return !pending.draining
        }
        if submit { eventLoop.execute { self.drain() } }
    }

    /// Succeeds once nothing waits and no drain runs.
    func settled() -> EventLoopFuture<Void> {
        pending.withLock { pending in
            guard pending.draining else { return eventLoop.makeSucceededVoidFuture() }
            let promise = eventLoop.makePromise(of: Void.self)
            pending.settledWaiters.append(promise)
            return promise.futureResult
        }
    }

    /// On the loop: takes what is waiting, grouped by client, and writes it.
    private func drain() {
        var index: [ObjectIdentifier: Int] = [:]
        var deliveries: [Delivery] = []
        let (writes, since) = pending.withLock { ($0.writes.take(), $0.since) }
        for write in writes {
            let key = ObjectIdentifier(write.client)
            if let at = index[key] {
                deliveries[at].messages.append(write.message)
            } else {
                index[key] = deliveries.count
                deliveries.append(Delivery(client: write.client, sink: write.sink, messages: [write.message]))
            }
        }
        write(deliveries, from: 0, since: since)
    }

    /// On the loop: writes one slice of a drain, then schedules the next slice, the next drain, or nothing.
    private func write(_ deliveries: [Delivery], from start: Int, since: NIODeadline) {
        let end = min(deliveries.count, start + Self.sliceSize)
        let now = Date()
        var delivered = 0
        var dropped = 0
        for delivery in deliveries[start..<end] {
            var wrote = false
            for message in delivery.messages {
                switch delivery.client.write(message, to: delivery.sink, now: now) {
                case .queued:
                    delivered += 1
                    wrote = true
                case .overflowed: dropped += 1
                case .closed: break
                }
            }
            if wrote { delivery.sink.flush() }
        }
        if delivered > 0 { metrics.deliveredEvents.increment(by: Int64(delivered)) }
        if dropped > 0 { metrics.droppedClients.increment(by: Int64(dropped)) }
        if end < deliveries.count {
            goOn(since: since) { self.write(deliveries, from: end, since: since) }
            return
        }
        let next = pending.withLock { pending -> (settled: [EventLoopPromise<Void>]?, since: NIODeadline) in
            guard pending.writes.isEmpty else { return (nil, pending.since) }
            pending.draining = false
            return (pending.settledWaiters.take(), pending.since)
        }
        if let settled = next.settled {
            for promise in settled { promise.succeed() }
        } else {
            goOn(since: next.since) { self.drain() }
        }
    }

    /// Runs the rest of the work on the loop: after a `pause` that lets the loop's other connections in while
    /// the oldest message waiting (added at `since`) is less than `maxLag` old, at once otherwise.
    private func goOn(since: NIODeadline, _ work: @escaping @Sendable () -> Void) {
        if NIODeadline.now() - since < Self.maxLag {
            eventLoop.scheduleTask(in: Self.pause, work)
        } else {
            eventLoop.execute(work)
        }
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
