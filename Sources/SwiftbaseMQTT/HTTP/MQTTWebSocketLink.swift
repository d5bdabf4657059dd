import Synchronization

/// A client's link over a WebSocket: encoded packets go to the connection's writer loop through an async queue.
/// QoS 0 messages are dropped while `maximumQueued` messages wait to be written.
/// A PUBLISH to an MQTT 5 client that allows topic aliases is encoded and queued under one lock, so that an
/// alias is never used before the packet that set it (see `MQTTOutboundTopicAliases`).
final class MQTTWebSocketLink: MQTTClientLink {
    enum Outgoing: Sendable {
        case bytes([UInt8])
        case close
    }

    private let version: MQTTProtocolVersion
    private let queue: AsyncStream<Outgoing>.Continuation
    private let queued: Counter
    private let maximumQueued: Int
    private let usesTopicAliases: Bool
    private let topicAliases: Mutex<MQTTOutboundTopicAliases?>

    /// Messages handed to the writer and not yet written, shared by the link and the writer loop.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func load() -> Int { value.load(ordering: .relaxed) }
        func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    }

    init(
        version: MQTTProtocolVersion, queue: AsyncStream<Outgoing>.Continuation, queued: Counter, maximumQueued: Int,
        topicAliases: MQTTOutboundTopicAliases? = nil
    ) {
        self.version = version
        self.queue = queue
        self.queued = queued
        self.maximumQueued = maximumQueued
        usesTopicAliases = topicAliases != nil
        self.topicAliases = Mutex(topicAliases)
    }

    func send(_ packet: MQTTPacket, droppable: Bool) -> MQTTSendResult {
        if usesTopicAliases, case .publish(let publish) = packet {
            return topicAliases.withLock { table in
                if droppable && queued.load() >= maximumQueued { return .dropped }
                guard let bytes = try? table?.encode(publish) else { return .dropped }
                return enqueue(bytes)
            }
        }
        guard let bytes = try? packet.encoded(version: version) else { return .dropped }
        if droppable && queued.load() >= maximumQueued { return .dropped }
        return enqueue(bytes)
    }

    private func enqueue(_ bytes: [UInt8]) -> MQTTSendResult {
        queued.add(1)
        if case .terminated = queue.yield(.bytes(bytes)) { queued.add(-1) }
        return .queued
    }

    func close() {
        queue.yield(.close)
        queue.finish()
    }
}
