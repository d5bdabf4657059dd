import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// A broker driven by hand: clients connect through recording links and time moves only when the test says.
struct MQTTBrokerFixture {
    let broker: MQTTBroker
    var now = ContinuousClock.now

    init(configuration: MQTTBrokerConfiguration = MQTTBrokerConfiguration()) {
        broker = MQTTBroker(configuration: configuration)
    }

    /// Connects a client and checks its CONNACK; returns the connection, its link and whether a session was present.
    func connect(
        _ clientID: String, version: MQTTProtocolVersion = .v5, cleanStart: Bool = true, keepAlive: UInt16 = 0,
        will: MQTTWill? = nil, properties: MQTTProperties = [], sourceLocation: SourceLocation = #_sourceLocation
    ) -> (id: MQTTConnectionID, link: RecordingLink, sessionPresent: Bool) {
        let link = RecordingLink()
        let connect = MQTTConnect(
            version: version, clientID: clientID, cleanStart: cleanStart, keepAlive: keepAlive, will: will,
            properties: properties)
        let id = broker.connect(connect, identity: .guest, link: link, now: now)
        guard let id, case .connack(let ack) = link.takeFirst(), ack.reasonCode == .success else {
            Issue.record("CONNECT of \(clientID) refused", sourceLocation: sourceLocation)
            return (MQTTConnectionID(rawValue: 0), link, false)
        }
        return (id, link, ack.sessionPresent)
    }

    func subscribe(
        _ id: MQTTConnectionID, _ link: RecordingLink, _ filter: String, qos: MQTTQoS = .atLeastOnce,
        noLocal: Bool = false, retainAsPublished: Bool = false, retainHandling: UInt8 = 0,
        identifier: UInt32? = nil
    ) {
        let subscription = MQTTSubscription(
            filter: filter, qos: qos, noLocal: noLocal, retainAsPublished: retainAsPublished,
            retainHandling: retainHandling)
        broker.receive(
            .subscribe(
                MQTTSubscribe(
                    packetID: 1, subscriptions: [subscription],
                    properties: identifier.map { [.subscriptionIdentifier($0)] } ?? [])),
            on: id, now: now)
        #expect(link.takeFirst() == .suback(MQTTSubAck(packetID: 1, reasonCodes: [MQTTReasonCode(rawValue: qos.rawValue)])))
    }

    func publish(
        _ id: MQTTConnectionID, _ topic: String, _ text: String, qos: MQTTQoS = .atMostOnce, retain: Bool = false,
        packetID: UInt16? = nil, properties: MQTTProperties = []
    ) {
        broker.receive(
            .publish(
                MQTTPublish(
                    topic: topic, payload: Array(text.utf8), qos: qos, retain: retain,
                    packetID: qos == .atMostOnce ? nil : (packetID ?? 1), properties: properties)),
            on: id, now: now)
    }

    mutating func advance(seconds: Int) {
        now = now + .seconds(seconds)
        broker.tick(now: now)
    }
}

extension MQTTPublish {
    var text: String { String(decoding: payload, as: UTF8.self) }
}
