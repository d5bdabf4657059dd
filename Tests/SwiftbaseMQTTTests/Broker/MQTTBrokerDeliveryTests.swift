import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// Routing and the QoS flows: who receives a message, at which QoS, with which flags, and how acknowledgements move
/// the in-flight window.
@Suite struct MQTTBrokerDeliveryTests {
    @Test func qos0ReachesMatchingSubscribersOnly() {
        let f = MQTTBrokerFixture()
        let a = f.connect("a")
        let b = f.connect("b")
        let p = f.connect("p")
        f.subscribe(a.id, a.link, "sensors/+/temp", qos: .atMostOnce)
        f.subscribe(b.id, b.link, "other/#", qos: .atMostOnce)
        f.publish(p.id, "sensors/1/temp", "21")
        #expect(a.link.takePublishes().map(\.text) == ["21"])
        #expect(b.link.takePublishes().isEmpty)
    }

    @Test func qosIsTheLowerOfMessageAndSubscription() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s")
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t", qos: .atLeastOnce)
        f.publish(p.id, "t", "x", qos: .exactlyOnce, packetID: 9)
        #expect(p.link.take() == [.pubrec(MQTTAck(packetID: 9))])
        let got = s.link.takePublishes()
        #expect(got.map(\.qos) == [.atLeastOnce])
        #expect(got.first?.packetID != nil)
    }

    @Test func qos1FlowHonoursTheClientsReceiveMaximum() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s", properties: [.receiveMaximum(2)])
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t")
        for i in 1...3 { f.publish(p.id, "t", "m\(i)", qos: .atLeastOnce, packetID: UInt16(i)) }
        #expect(p.link.take().count == 3)  // three PUBACKs
        let first = s.link.takePublishes()
        #expect(first.map(\.text) == ["m1", "m2"])
        f.broker.receive(.puback(MQTTAck(packetID: first[0].packetID!)), on: s.id, now: f.now)
        #expect(s.link.takePublishes().map(\.text) == ["m3"])
    }

    @Test func pubackSaysNoMatchingSubscribersToMQTT5Publishers() {
        let f = MQTTBrokerFixture()
        let p = f.connect("p")
        f.publish(p.id, "nobody", "x", qos: .atLeastOnce, packetID: 4)
        #expect(p.link.take() == [.puback(MQTTAck(packetID: 4, reasonCode: .noMatchingSubscribers))])
        let old = f.connect("old", version: .v311)
        f.publish(old.id, "nobody", "x", qos: .atLeastOnce, packetID: 4)
        #expect(old.link.take() == [.puback(MQTTAck(packetID: 4))])
    }

    @Test func qos2InboundIsDeliveredOnceEvenWhenResent() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s")
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t", qos: .exactlyOnce)
        f.publish(p.id, "t", "once", qos: .exactlyOnce, packetID: 5)
        f.broker.receive(
            .publish(MQTTPublish(topic: "t", payload: Array("once".utf8), qos: .exactlyOnce, dup: true, packetID: 5)),
            on: p.id, now: f.now)
        #expect(p.link.take() == [.pubrec(MQTTAck(packetID: 5)), .pubrec(MQTTAck(packetID: 5))])
        f.broker.receive(.pubrel(MQTTAck(packetID: 5)), on: p.id, now: f.now)
        #expect(p.link.take() == [.pubcomp(MQTTAck(packetID: 5))])
        f.broker.receive(.pubrel(MQTTAck(packetID: 5)), on: p.id, now: f.now)
        #expect(p.link.take() == [.pubcomp(MQTTAck(packetID: 5, reasonCode: .packetIdentifierNotFound))])
        #expect(s.link.takePublishes().map(\.text) == ["once"])
    }

    @Test func qos2OutboundGoesThroughPubrecPubrelPubcomp() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s", properties: [.receiveMaximum(1)])
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t", qos: .exactlyOnce)
        f.publish(p.id, "t", "a", qos: .exactlyOnce, packetID: 1)
        f.publish(p.id, "t", "b", qos: .exactlyOnce, packetID: 2)
        let first = s.link.takePublishes()
        #expect(first.map(\.text) == ["a"])
        let id = first[0].packetID!
        f.broker.receive(.pubrec(MQTTAck(packetID: id)), on: s.id, now: f.now)
        #expect(s.link.take() == [.pubrel(MQTTAck(packetID: id))])
        f.broker.receive(.pubcomp(MQTTAck(packetID: id)), on: s.id, now: f.now)
        #expect(s.link.takePublishes().map(\.text) == ["b"])
    }

    @Test func dollarTopicsAreNotMatchedByFirstLevelWildcards() {
        let f = MQTTBrokerFixture()
        let all = f.connect("all")
        let sys = f.connect("sys")
        let p = f.connect("p")
        f.subscribe(all.id, all.link, "#", qos: .atMostOnce)
        f.subscribe(sys.id, sys.link, "$SYS/#", qos: .atMostOnce)
        f.publish(p.id, "$SYS/uptime", "1")
        #expect(all.link.takePublishes().isEmpty)
        #expect(sys.link.takePublishes().map(\.text) == ["1"])
    }

    @Test func sharedSubscriptionsTakeTurns() {
        let f = MQTTBrokerFixture()
        let a = f.connect("a")
        let b = f.connect("b")
        let plain = f.connect("plain")
        let p = f.connect("p")
        f.subscribe(a.id, a.link, "$share/workers/jobs/#", qos: .atMostOnce)
        f.subscribe(b.id, b.link, "$share/workers/jobs/#", qos: .atMostOnce)
        f.subscribe(plain.id, plain.link, "jobs/#", qos: .atMostOnce)
        for i in 0..<6 { f.publish(p.id, "jobs/x", "\(i)") }
        let gotA = a.link.takePublishes().map(\.text)
        let gotB = b.link.takePublishes().map(\.text)
        #expect(gotA.count == 3 && gotB.count == 3)
        #expect(Set(gotA + gotB) == Set((0..<6).map { "\($0)" }))
        #expect(plain.link.takePublishes().count == 6)
    }

    @Test func noLocalSkipsThePublishersOwnMessages() {
        let f = MQTTBrokerFixture()
        let c = f.connect("c")
        f.subscribe(c.id, c.link, "chat", qos: .atMostOnce, noLocal: true)
        f.publish(c.id, "chat", "mine")
        #expect(c.link.takePublishes().isEmpty)
        let other = f.connect("other")
        f.publish(other.id, "chat", "theirs")
        #expect(c.link.takePublishes().map(\.text) == ["theirs"])
    }

    @Test func overlappingSubscriptionsDeliverOnceWithEveryIdentifier() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s")
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "a/+", qos: .atMostOnce, identifier: 7)
        f.subscribe(s.id, s.link, "a/#", qos: .atLeastOnce, identifier: 9)
        f.publish(p.id, "a/b", "x", qos: .atLeastOnce, packetID: 3)
        let got = s.link.takePublishes()
        #expect(got.count == 1)
        #expect(got.first?.qos == .atLeastOnce)
        #expect(Set(got.first?.properties.subscriptionIdentifiers ?? []) == [7, 9])
    }

    @Test func userPropertiesAndContentTypePassThrough() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s")
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t", qos: .atMostOnce)
        f.publish(p.id, "t", "{}", properties: [.contentType("application/json"), .userProperty(name: "k", value: "v")])
        #expect(
            s.link.takePublishes().first?.properties
                == [.contentType("application/json"), .userProperty(name: "k", value: "v")])
    }

    @Test func topicAliasesFromTheClientAreResolved() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s")
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "long/topic", qos: .atMostOnce)
        f.publish(p.id, "long/topic", "1", properties: [.topicAlias(3)])
        f.publish(p.id, "", "2", properties: [.topicAlias(3)])
        let got = s.link.takePublishes()
        #expect(got.map(\.text) == ["1", "2"])
        #expect(got.allSatisfy { $0.topic == "long/topic" && $0.properties.topicAlias == nil })
        // An alias over the announced maximum (10) closes the connection with 0x94.
        f.publish(p.id, "x", "3", properties: [.topicAlias(11)])
        #expect(p.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .topicAliasInvalid))])
        #expect(p.link.isClosed)
    }

    @Test func unknownTopicAliasIsAProtocolError() {
        let f = MQTTBrokerFixture()
        let p = f.connect("p")
        f.publish(p.id, "", "x", properties: [.topicAlias(2)])
        #expect(p.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .protocolError))])
    }

    @Test func slowSubscribersLoseQoS0AndTheBrokerCountsIt() {
        let f = MQTTBrokerFixture()
        let link = RecordingLink(capacity: 3)
        let slow = f.broker.connect(MQTTConnect(version: .v5, clientID: "slow"), identity: .guest, link: link, now: f.now)!
        f.broker.receive(
            .subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "t", qos: .atMostOnce)])),
            on: slow, now: f.now)
        let p = f.connect("p")
        for i in 0..<10 { f.publish(p.id, "t", "\(i)") }
        #expect(link.takePublishes().count == 1)  // CONNACK and SUBACK took two of three places
        #expect(f.broker.statistics.dropped == 9)
    }

    @Test func packetsOverTheClientsMaximumAreNotSent() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s", properties: [.maximumPacketSize(20)])
        let p = f.connect("p")
        f.subscribe(s.id, s.link, "t", qos: .atMostOnce)
        f.publish(p.id, "t", String(repeating: "x", count: 50))
        f.publish(p.id, "t", "small")
        #expect(s.link.takePublishes().map(\.text) == ["small"])
    }
}
