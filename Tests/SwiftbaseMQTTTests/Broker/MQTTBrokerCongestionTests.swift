import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// `MQTTBroker.receive` answers the subscribers' links that said they are congested, so the transport can hold the
/// publisher back; the broker tells each connected client's link how many QoS 1/2 messages its session queues.
@Suite struct MQTTBrokerCongestionTests {
    @Test func aPublishAnswersTheCongestedSubscribersOnly() throws {
        let f = MQTTBrokerFixture()
        let slow = RecordingLink(congestedAt: 2)
        let slowID = try #require(
            f.broker.connect(
                MQTTConnect(version: .v5, clientID: "slow", keepAlive: 0), identity: .guest, link: slow, now: f.now))
        _ = slow.take()  // CONNACK
        let fast = f.connect("fast")
        let p = f.connect("p")
        f.broker.receive(
            .subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "t", qos: .atMostOnce)])),
            on: slowID, now: f.now)
        _ = slow.take()  // SUBACK
        f.subscribe(fast.id, fast.link, "t", qos: .atMostOnce)
        let publish = MQTTPacket.publish(MQTTPublish(topic: "t", payload: Array("x".utf8), qos: .atMostOnce))
        #expect(f.broker.receive(publish, on: p.id, now: f.now).isEmpty)
        let congested = f.broker.receive(publish, on: p.id, now: f.now)
        #expect(congested.count == 1)
        #expect(congested.first === slow)
        #expect(fast.link.takePublishes().count == 2)
    }

    @Test func theSessionQueueLengthIsReportedAsItGrowsAndDrains() throws {
        let f = MQTTBrokerFixture()
        let link = RecordingLink(congestedAt: 3)
        let id = try #require(
            f.broker.connect(
                MQTTConnect(version: .v5, clientID: "s", keepAlive: 0, properties: [.receiveMaximum(1)]),
                identity: .guest, link: link, now: f.now))
        _ = link.take()
        f.broker.receive(
            .subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "t", qos: .atLeastOnce)])),
            on: id, now: f.now)
        _ = link.take()
        let p = f.connect("p")
        var answers: [Int] = []
        for i in 1...4 {
            let publish = MQTTPublish(
                topic: "t", payload: Array("m\(i)".utf8), qos: .atLeastOnce, packetID: UInt16(i))
            answers.append(f.broker.receive(.publish(publish), on: p.id, now: f.now).count)
        }
        // One in flight (Receive Maximum 1), three queued: congested from the third.
        #expect(link.sessionQueueReports == [1, 2, 3])
        #expect(answers == [0, 0, 0, 1])
        let first = link.takePublishes()
        #expect(first.map(\.text) == ["m1"])
        f.broker.receive(.puback(MQTTAck(packetID: try #require(first.first?.packetID))), on: id, now: f.now)
        #expect(link.takePublishes().map(\.text) == ["m2"])
        #expect(link.sessionQueueReports == [1, 2, 3, 2])
    }
}
