import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// The broker's side of access control: what a denied PUBLISH or SUBSCRIBE answers, per protocol version.
@Suite struct MQTTBrokerAccessTests {
    static let denied = MQTTAccessVerdict(publishAllowed: false)

    @Test func deniedPublishIsNotRoutedAndMQTT5HearsNotAuthorized() {
        let f = MQTTBrokerFixture()
        let (sub, subLink, _) = f.connect("sub")
        f.subscribe(sub, subLink, "t/#", qos: .exactlyOnce)
        let (pub, pubLink, _) = f.connect("pub")
        for qos in [MQTTQoS.atMostOnce, .atLeastOnce, .exactlyOnce] {
            f.broker.receive(
                .publish(MQTTPublish(topic: "t/x", payload: [1], qos: qos, retain: true, packetID: qos == .atMostOnce ? nil : 7)),
                on: pub, now: f.now, verdict: Self.denied)
        }
        #expect(pubLink.take() == [
            .puback(MQTTAck(packetID: 7, reasonCode: .notAuthorized)),
            .pubrec(MQTTAck(packetID: 7, reasonCode: .notAuthorized)),
        ])
        #expect(subLink.take().isEmpty)
        #expect(f.broker.statistics.retainedMessages == 0)
        #expect(f.broker.statistics.denied == 3)
    }

    @Test func deniedPublishFromMQTT311IsAcknowledgedAndDropped() {
        let f = MQTTBrokerFixture()
        let (sub, subLink, _) = f.connect("sub")
        f.subscribe(sub, subLink, "t/#", qos: .exactlyOnce)
        let (pub, pubLink, _) = f.connect("pub", version: .v311)
        f.broker.receive(
            .publish(MQTTPublish(topic: "t/x", payload: [1], qos: .atLeastOnce, retain: false, packetID: 3)),
            on: pub, now: f.now, verdict: Self.denied)
        f.broker.receive(
            .publish(MQTTPublish(topic: "t/x", payload: [1], qos: .exactlyOnce, retain: false, packetID: 4)),
            on: pub, now: f.now, verdict: Self.denied)
        f.broker.receive(.pubrel(MQTTAck(packetID: 4)), on: pub, now: f.now)
        #expect(pubLink.take() == [.puback(MQTTAck(packetID: 3)), .pubrec(MQTTAck(packetID: 4)), .pubcomp(MQTTAck(packetID: 4))])
        #expect(subLink.take().isEmpty)
    }

    @Test(arguments: [(MQTTProtocolVersion.v5, MQTTReasonCode.notAuthorized), (.v311, .unspecifiedError)])
    func deniedFiltersFailInSubAck(version: MQTTProtocolVersion, failure: MQTTReasonCode) {
        let f = MQTTBrokerFixture()
        let (id, link, _) = f.connect("c", version: version)
        let subscriptions = ["ok/#", "no/#"].map {
            MQTTSubscription(filter: $0, qos: .atLeastOnce, noLocal: false, retainAsPublished: false, retainHandling: 0)
        }
        f.broker.receive(
            .subscribe(MQTTSubscribe(packetID: 9, subscriptions: subscriptions)), on: id, now: f.now,
            verdict: MQTTAccessVerdict(filtersAllowed: [true, false]))
        #expect(link.take() == [.suback(MQTTSubAck(packetID: 9, reasonCodes: [.grantedQoS1, failure]))])
        #expect(f.broker.clients().first?.subscriptions == ["ok/#"])
    }
}
