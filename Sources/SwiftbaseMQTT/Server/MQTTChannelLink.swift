import NIOCore
import Synchronization

/// A client's link over a NIO channel: encodes each packet for the connection's version and writes it. QoS 0
/// messages are dropped once `maximumQueued` writes wait for the socket (a slow subscriber must not grow the
/// server's memory); everything else is bounded by the broker's in-flight window.
final class MQTTChannelLink: MQTTClientLink {
    private let channel: any Channel
    private let version: MQTTProtocolVersion
    private let maximumQueued: Int
    private let queued = Atomic<Int>(0)

    init(channel: any Channel, version: MQTTProtocolVersion, maximumQueued: Int) {
        self.channel = channel
        self.version = version
        self.maximumQueued = maximumQueued
    }

    func send(_ packet: MQTTPacket, droppable: Bool) -> Bool {
        guard let bytes = try? packet.encoded(version: version) else { return false }
        if droppable && queued.load(ordering: .relaxed) >= maximumQueued { return false }
        queued.add(1, ordering: .relaxed)
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [self] _ in queued.subtract(1, ordering: .relaxed) }
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: promise)
        return true
    }

    func close() {
        channel.close(promise: nil)
    }
}
