import NIOCore
import Synchronization

/// A client's link over a NIO channel. Packets are encoded on the caller's thread into the link's outbox, and the
/// outbox goes to the socket in one write and one flush per event-loop turn, however many packets (from however
/// many publishers) arrived in it — not a task, a promise and a system call per packet.
///
/// Bounded: QoS 0 messages are dropped while `maximumQueued` messages wait in the outbox or in the channel for the
/// socket (a subscriber that does not read must not grow the server's memory); other packets are bounded by the
/// broker's in-flight window. From half of that limit on — counting the QoS 1/2 messages the broker queues for
/// the client — the link says it is congested, so the connections feeding it hold back their reading
/// (`MQTTChannelHandler`) before anything has to be dropped; it is relieved at a quarter. A link that kept a
/// connection held back for the longest hold stops saying so until relieved (`heldBackTooLong`).
final class MQTTChannelLink: MQTTClientLink {
    private struct Outbox {
        /// Encoded packets waiting for the next flush; nil when there are none (an idle client holds no buffer).
        var bytes: ByteBuffer?
        /// Packets in `bytes`.
        var pending = 0
        /// Packets handed to the channel whose write has not completed.
        var inChannel = 0
        /// QoS 1/2 messages the broker queues for this client (beyond its in-flight window).
        var sessionQueued = 0
        var flushScheduled = false
        var congested = false
        /// Congested so long that publishers are no longer held back for it (until it is relieved).
        var stuck = false
        var whenRelieved: [@Sendable () -> Void] = []
        /// The aliases of topics sent to this client (MQTT 5, when it allows them).
        var topicAliases: MQTTOutboundTopicAliases?

        var waiting: Int { pending + inChannel + sessionQueued }

        /// Updates `congested`; answers the callbacks to run when that relieved the link.
        mutating func update(high: Int, low: Int) -> [@Sendable () -> Void] {
            if !congested && waiting >= high { congested = true }
            guard congested && waiting <= low else { return [] }
            congested = false
            stuck = false
            defer { whenRelieved = [] }
            return whenRelieved
        }
    }

    private let channel: any Channel
    private let version: MQTTProtocolVersion
    private let maximumQueued: Int
    private let outbox: Mutex<Outbox>
    private let usesTopicAliases: Bool
    /// How long a connection the server ends stays open for reading after its last packet (see `close`).
    private let lingering: TimeAmount

    init(
        channel: any Channel, version: MQTTProtocolVersion, maximumQueued: Int,
        topicAliases: MQTTOutboundTopicAliases? = nil, lingering: TimeAmount = .seconds(2)
    ) {
        self.channel = channel
        self.version = version
        self.maximumQueued = max(4, maximumQueued)
        self.usesTopicAliases = topicAliases != nil
        self.lingering = lingering
        var box = Outbox()
        box.topicAliases = topicAliases
        outbox = Mutex(box)
    }

    func send(_ packet: MQTTPacket, droppable: Bool) -> MQTTSendResult {
        // A PUBLISH to a client that takes topic aliases is encoded under the outbox's lock, where the order of
        // the bytes on the socket is decided (see `MQTTOutboundTopicAliases`); any other packet before taking it.
        if usesTopicAliases, case .publish(let publish) = packet {
            return enqueue(droppable: droppable) { box in try? box.topicAliases?.encode(publish) }
        }
        guard let bytes = try? packet.encoded(version: version) else { return .dropped }
        return enqueue(droppable: droppable) { _ in bytes }
    }

    private func enqueue(droppable: Bool, _ encode: (inout Outbox) -> [UInt8]?) -> MQTTSendResult {
        let (high, low, limit) = (maximumQueued / 2, maximumQueued / 4, maximumQueued)
        let (result, schedule): (MQTTSendResult, Bool) = outbox.withLock { box in
            if droppable && box.pending + box.inChannel >= limit { return (.dropped, false) }
            guard let bytes = encode(&box) else { return (.dropped, false) }
            // Taken out and put back, so the buffer is uniquely referenced while written to (no copy).
            var buffer = box.bytes.take() ?? channel.allocator.buffer(capacity: max(bytes.count, 256))
            buffer.writeBytes(bytes)
            box.bytes = buffer
            box.pending += 1
            _ = box.update(high: high, low: low)
            let schedule = !box.flushScheduled
            box.flushScheduled = true
            return (box.congested && !box.stuck ? .congested : .queued, schedule)
        }
        if schedule { channel.eventLoop.execute { self.flush() } }
        return result
    }

    /// Sends what was queued, then closes the connection the way HTTP servers do after an error answer (a
    /// lingering close): its sending side at once, its reading side when the client closes too or after
    /// `lingering`. Closing both at once would make the kernel answer the client's next bytes (a PUBREL for a
    /// PUBREC it had not read yet, say) with a reset, which throws away what the client had not read — the
    /// DISCONNECT telling it why. Meanwhile `MQTTChannelHandler` reads and discards.
    func close() {
        // Runs after a flush already scheduled (an event loop runs its tasks in order): what was sent goes first.
        let channel = channel
        let lingering = lingering
        channel.eventLoop.execute {
            self.flush()
            let outputClosed = channel.eventLoop.makePromise(of: Void.self)
            outputClosed.futureResult.whenComplete { result in
                guard case .success = result else { return channel.close(promise: nil) }
                channel.eventLoop.scheduleTask(in: lingering) { channel.close(promise: nil) }
            }
            channel.close(mode: .output, promise: outputClosed)
        }
    }

    func sessionQueueChanged(_ count: Int) -> Bool {
        let (high, low) = (maximumQueued / 2, maximumQueued / 4)
        let (relieved, congested) = outbox.withLock { box in
            box.sessionQueued = count
            return (box.update(high: high, low: low), box.congested && !box.stuck)
        }
        for callback in relieved { callback() }
        return congested
    }

    func heldBackTooLong() {
        outbox.withLock { box in box.stuck = box.congested }
    }

    func whenRelieved(_ callback: @escaping @Sendable () -> Void) {
        let now: Bool = outbox.withLock { box in
            guard box.congested && !box.stuck else { return true }
            box.whenRelieved.append(callback)
            return false
        }
        if now { callback() }
    }

    /// Writes the outbox in one write and one flush. On the channel's event loop.
    private func flush() {
        let batch: (bytes: ByteBuffer, count: Int)? = outbox.withLock { box in
            box.flushScheduled = false
            guard let bytes = box.bytes, box.pending > 0 else { return nil }
            // Handed over whole: the next packet starts a new buffer, the channel owns this one.
            let batch = (bytes, box.pending)
            box.bytes = nil
            box.inChannel += box.pending
            box.pending = 0
            return batch
        }
        guard let batch else { return }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in self.written(batch.count) }
        channel.writeAndFlush(batch.bytes, promise: promise)
    }

    /// The channel wrote (or, closing, failed) a batch of `count` packets.
    private func written(_ count: Int) {
        let (high, low) = (maximumQueued / 2, maximumQueued / 4)
        let relieved = outbox.withLock { box in
            box.inChannel -= count
            return box.update(high: high, low: low)
        }
        for callback in relieved { callback() }
    }
}
