import Synchronization

/// A client's link over a WebSocket: encoded packets go to the connection's writer loop through an async queue.
/// QoS 0 messages are dropped while `maximumQueued` messages wait to be written.
final class MQTTWebSocketLink: MQTTClientLink {
    enum Outgoing: Sendable {
        case bytes([UInt8])
        case close
    }

    private let version: MQTTProtocolVersion
    private let queue: AsyncStream<Outgoing>.Continuation
    private let queued: Counter
    private let maximumQueued: Int

    /// Messages handed to the writer and not yet written, shared by the link and the writer loop.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func load() -> Int { value.load(ordering: .relaxed) }
        func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    }

    init(
        version: MQTTProtocolVersion, queue: AsyncStream<Outgoing>.Continuation, queued: Counter, maximumQueued: Int
    ) {
        self.version = version
        self.queue = queue
        self.queued = queued
        self.maximumQueued = maximumQueued
    }

    func send(_ packet: MQTTPacket, droppable: Bool) -> MQTTSendResult {
        guard let bytes = try? packet.encoded(version: version) else { return .dropped }
        if droppable && queued.load() >= maximumQueued { return .dropped }
        queued.add(1)
        if case .terminated = queue.yield(.bytes(bytes)) { queued.add(-1) }
        return .queued
    }

    func close() {
        queue.yield(.close)
        queue.finish()
    }
}
