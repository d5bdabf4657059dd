import SwiftbaseCore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import SwiftbaseMQTT

/// The TCP link: packets sent in one event-loop turn leave in one write; QoS 0 is dropped past the queue limit;
/// congestion is said from half the limit (the broker's session queue included) and relieved at a quarter.
@Suite struct MQTTChannelLinkTests {
    private func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1883)).wait()
        return channel
    }

    private func publish(_ text: String) -> MQTTPacket {
        .publish(MQTTPublish(topic: "t", payload: Array(text.utf8)))
    }

    @Test func packetsOfOneTurnLeaveInOneWrite() throws {
        let channel = try connectedChannel()
        let link = MQTTChannelLink(channel: channel, version: .v311, maximumQueued: 100)
        for text in ["a", "b", "c"] { #expect(link.send(publish(text), droppable: true) == .queued) }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)  // not before the event loop's turn
        channel.embeddedEventLoop.run()
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let expected = try ["a", "b", "c"].flatMap { try publish($0).encoded(version: .v311) }
        #expect(Array(written.readableBytesView) == expected)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test func publishesToAClientThatTakesAliasesUseThemInTheOrderWritten() throws {
        let channel = try connectedChannel()
        let aliases = MQTTOutboundTopicAliases(clientMaximum: 4, limit: 32, maximumPacketSize: nil)
        let link = MQTTChannelLink(channel: channel, version: .v5, maximumQueued: 4, topicAliases: aliases)
        // The queue is full: this QoS 0 message is dropped before it could set an alias.
        for _ in 0..<4 { _ = link.send(.pingresp, droppable: false) }
        #expect(link.send(.publish(MQTTPublish(topic: "room/1", payload: [1])), droppable: true) == .dropped)
        channel.embeddedEventLoop.run()
        _ = try channel.readOutbound(as: ByteBuffer.self)
        for payload: UInt8 in [2, 3] {
            #expect(link.send(.publish(MQTTPublish(topic: "room/1", payload: [payload])), droppable: true) != .dropped)
        }
        channel.embeddedEventLoop.run()
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var decoder = MQTTPacketDecoder(version: .v5)
        decoder.append(written.readableBytesView)
        guard case .publish(let first)? = try decoder.next(), case .publish(let second)? = try decoder.next() else {
            Issue.record("two PUBLISH packets expected")
            return
        }
        #expect(first.topic == "room/1" && first.properties.topicAlias == 1 && first.payload == [2])
        #expect(second.topic == "" && second.properties.topicAlias == 1 && second.payload == [3])
    }

    @Test func qos0IsDroppedPastTheLimitOtherPacketsAreNot() throws {
        let channel = try connectedChannel()
        let link = MQTTChannelLink(channel: channel, version: .v311, maximumQueued: 8)
        let results = (0..<9).map { link.send(publish("m\($0)"), droppable: true) }
        #expect(results.prefix(3).allSatisfy { $0 == .queued })
        #expect(results[3..<8].allSatisfy { $0 == .congested })
        #expect(results[8] == .dropped)
        #expect(link.send(.pingresp, droppable: false) == .congested)
    }

    @Test func congestionIsRelievedOnceTheSocketTookTheBatch() throws {
        let channel = try connectedChannel()
        let link = MQTTChannelLink(channel: channel, version: .v311, maximumQueued: 8)
        for i in 0..<4 { _ = link.send(publish("m\(i)"), droppable: true) }
        let relieved = Atomic<Int>(0)
        link.whenRelieved { relieved.add(1, ordering: .relaxed) }
        #expect(relieved.load(ordering: .relaxed) == 0)
        channel.embeddedEventLoop.run()  // the flush: EmbeddedChannel completes the write at once
        #expect(relieved.load(ordering: .relaxed) == 1)
        link.whenRelieved { relieved.add(1, ordering: .relaxed) }  // not congested: called at once
        #expect(relieved.load(ordering: .relaxed) == 2)
    }

    @Test func theSessionQueueCountsTowardCongestion() throws {
        let channel = try connectedChannel()
        let link = MQTTChannelLink(channel: channel, version: .v311, maximumQueued: 8)
        #expect(!link.sessionQueueChanged(3))
        #expect(link.sessionQueueChanged(4))
        #expect(link.send(publish("x"), droppable: false) == .congested)
        let relieved = Atomic<Int>(0)
        link.whenRelieved { relieved.add(1, ordering: .relaxed) }
        channel.embeddedEventLoop.run()
        #expect(relieved.load(ordering: .relaxed) == 0)  // the write went, the session still queues 4
        #expect(link.sessionQueueChanged(3))  // hysteresis: relieved at a quarter only
        #expect(!link.sessionQueueChanged(2))
        #expect(relieved.load(ordering: .relaxed) == 1)
    }

    @Test func aLinkThatHeldPublishersTooLongStopsSayingItIsCongested() throws {
        let channel = try connectedChannel()
        let link = MQTTChannelLink(channel: channel, version: .v311, maximumQueued: 8)
        #expect(link.sessionQueueChanged(6))
        link.heldBackTooLong()
        #expect(link.send(publish("x"), droppable: true) == .queued)
        #expect(!link.sessionQueueChanged(6))
        let relieved = Atomic<Int>(0)
        link.whenRelieved { relieved.add(1, ordering: .relaxed) }
        #expect(relieved.load(ordering: .relaxed) == 1)
        _ = link.sessionQueueChanged(0)  // relieved: congestion is said again next time
        #expect(link.sessionQueueChanged(4))
    }
}
