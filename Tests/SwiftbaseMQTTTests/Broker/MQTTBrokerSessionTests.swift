import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// What outlives a packet: retained messages, sessions across connections, wills, keep-alive and expiry.
@Suite struct MQTTBrokerSessionTests {
    @Test func retainedMessagesReachNewSubscribersWithTheRetainFlag() {
        let f = MQTTBrokerFixture()
        let p = f.connect("p")
        f.publish(p.id, "status/door", "open", qos: .atLeastOnce, retain: true)
        let s = f.connect("s")
        f.subscribe(s.id, s.link, "status/#", qos: .atMostOnce)
        let got = s.link.takePublishes()
        #expect(got.map(\.text) == ["open"])
        #expect(got.first?.retain == true)
        // A live subscriber gets later retained messages without the flag (no retain-as-published).
        f.publish(p.id, "status/door", "closed", retain: true)
        #expect(s.link.takePublishes().map(\.retain) == [false])
        // An empty retained payload clears it.
        f.publish(p.id, "status/door", "", retain: true)
        let late = f.connect("late")
        f.subscribe(late.id, late.link, "status/#", qos: .atMostOnce)
        #expect(late.link.takePublishes().isEmpty)
        #expect(f.broker.statistics.retainedMessages == 0)
    }

    @Test func retainHandlingAndRetainAsPublished() {
        let f = MQTTBrokerFixture()
        let p = f.connect("p")
        f.publish(p.id, "r", "kept", retain: true)
        let never = f.connect("never")
        f.subscribe(never.id, never.link, "r", qos: .atMostOnce, retainHandling: 2)
        #expect(never.link.takePublishes().isEmpty)
        let once = f.connect("once")
        f.subscribe(once.id, once.link, "r", qos: .atMostOnce, retainHandling: 1)
        #expect(once.link.takePublishes().count == 1)
        f.subscribe(once.id, once.link, "r", qos: .atMostOnce, retainHandling: 1)
        #expect(once.link.takePublishes().isEmpty)  // not a new subscription
        let rap = f.connect("rap")
        f.subscribe(rap.id, rap.link, "r", qos: .atMostOnce, retainAsPublished: true, retainHandling: 2)
        f.publish(p.id, "r", "again", retain: true)
        #expect(rap.link.takePublishes().map(\.retain) == [true])
    }

    @Test func persistentSessionQueuesQoS1WhileOfflineAndDropsQoS0() {
        let f = MQTTBrokerFixture()
        let first = f.connect("dev", version: .v311, cleanStart: false)
        #expect(!first.sessionPresent)
        f.subscribe(first.id, first.link, "cmd", qos: .atLeastOnce)
        f.broker.receive(.disconnect(MQTTDisconnect()), on: first.id, now: f.now)
        #expect(first.link.isClosed)
        let p = f.connect("p")
        f.publish(p.id, "cmd", "q1", qos: .atLeastOnce, packetID: 1)
        f.publish(p.id, "cmd", "q0")
        let again = f.connect("dev", version: .v311, cleanStart: false)
        #expect(again.sessionPresent)
        #expect(again.link.takePublishes().map(\.text) == ["q1"])
    }

    @Test func cleanSessionForgetsSubscriptions() {
        let f = MQTTBrokerFixture()
        let first = f.connect("dev", version: .v311, cleanStart: false)
        f.subscribe(first.id, first.link, "cmd")
        f.broker.connectionClosed(first.id, now: f.now)
        let clean = f.connect("dev", version: .v311, cleanStart: true)
        #expect(!clean.sessionPresent)
        let p = f.connect("p")
        f.publish(p.id, "cmd", "x", qos: .atLeastOnce)
        #expect(clean.link.takePublishes().isEmpty)
    }

    @Test func unacknowledgedMessagesAreResentWithDUPOnReconnect() {
        let f = MQTTBrokerFixture()
        let s = f.connect("s", cleanStart: true, properties: [.sessionExpiryInterval(60)])
        f.subscribe(s.id, s.link, "t", qos: .exactlyOnce)
        let p = f.connect("p")
        f.publish(p.id, "t", "a", qos: .atLeastOnce, packetID: 1)
        f.publish(p.id, "t", "b", qos: .exactlyOnce, packetID: 2)
        let sent = s.link.takePublishes()
        #expect(sent.map(\.dup) == [false, false])
        // "b" reached PUBREC: PUBREL is what is resent for it.
        f.broker.receive(.pubrec(MQTTAck(packetID: sent[1].packetID!)), on: s.id, now: f.now)
        _ = s.link.take()
        f.broker.connectionClosed(s.id, now: f.now)
        let back = f.connect("s", cleanStart: false, properties: [.sessionExpiryInterval(60)])
        #expect(back.sessionPresent)
        let resent = back.link.take()
        #expect(
            resent == [
                .publish(MQTTPublish(topic: "t", payload: Array("a".utf8), qos: .atLeastOnce, dup: true, packetID: sent[0].packetID)),
                .pubrel(MQTTAck(packetID: sent[1].packetID!)),
            ])
    }

    @Test func willIsPublishedWhenTheConnectionDropsButNotAfterDisconnect() {
        let f = MQTTBrokerFixture()
        let watcher = f.connect("watcher")
        f.subscribe(watcher.id, watcher.link, "wills/#", qos: .atMostOnce)
        let will = MQTTWill(topic: "wills/a", payload: Array("gone".utf8), qos: .atMostOnce, retain: false)
        let a = f.connect("a", will: will)
        f.broker.connectionClosed(a.id, now: f.now)
        #expect(watcher.link.takePublishes().map(\.text) == ["gone"])
        let b = f.connect("b", will: MQTTWill(topic: "wills/b", payload: [1], qos: .atMostOnce, retain: false))
        f.broker.receive(.disconnect(MQTTDisconnect()), on: b.id, now: f.now)
        #expect(watcher.link.takePublishes().isEmpty)
        let c = f.connect("c", will: MQTTWill(topic: "wills/c", payload: [2], qos: .atMostOnce, retain: false))
        f.broker.receive(.disconnect(MQTTDisconnect(reasonCode: .disconnectWithWillMessage)), on: c.id, now: f.now)
        #expect(watcher.link.takePublishes().map(\.topic) == ["wills/c"])
    }

    @Test func willDelayWaitsAndIsCancelledByReconnecting() {
        var f = MQTTBrokerFixture()
        let watcher = f.connect("watcher")
        f.subscribe(watcher.id, watcher.link, "w/#", qos: .atMostOnce)
        let delayed = MQTTWill(topic: "w/x", payload: [1], qos: .atMostOnce, retain: false, properties: [.willDelayInterval(5)])
        let x = f.connect("x", will: delayed, properties: [.sessionExpiryInterval(100)])
        f.broker.connectionClosed(x.id, now: f.now)
        f.advance(seconds: 3)
        #expect(watcher.link.takePublishes().isEmpty)
        f.advance(seconds: 3)
        #expect(watcher.link.takePublishes().map(\.topic) == ["w/x"])
        let y = f.connect("y", will: MQTTWill(topic: "w/y", payload: [1], qos: .atMostOnce, retain: false, properties: [.willDelayInterval(5)]),
            properties: [.sessionExpiryInterval(100)])
        f.broker.connectionClosed(y.id, now: f.now)
        f.advance(seconds: 2)
        _ = f.connect("y", cleanStart: false, properties: [.sessionExpiryInterval(100)])
        f.advance(seconds: 10)
        #expect(watcher.link.takePublishes().isEmpty)
    }

    @Test func discardingASessionEndsItOfflineOrConnected() {
        var f = MQTTBrokerFixture()
        let watcher = f.connect("watcher")
        f.subscribe(watcher.id, watcher.link, "w/#", qos: .atMostOnce)
        // Offline, with a subscription, a queued message and a will waiting out its delay.
        let will = MQTTWill(topic: "w/dev", payload: [1], qos: .atMostOnce, retain: false, properties: [.willDelayInterval(60)])
        let dev = f.connect("dev", will: will, properties: [.sessionExpiryInterval(3600)])
        f.subscribe(dev.id, dev.link, "cmd", qos: .atLeastOnce)
        f.broker.connectionClosed(dev.id, now: f.now)
        let p = f.connect("p")
        f.publish(p.id, "cmd", "queued", qos: .atLeastOnce)
        #expect(f.broker.clients().first { $0.clientID == "dev" }?.queued == 1)
        #expect(f.broker.discardSession(clientID: "dev", now: f.now))
        #expect(watcher.link.takePublishes().map(\.topic) == ["w/dev"])  // the session ended: its will goes now
        #expect(!f.broker.clients().contains { $0.clientID == "dev" })
        #expect(!f.broker.discardSession(clientID: "dev", now: f.now))
        f.publish(p.id, "cmd", "after")
        let again = f.connect("dev", cleanStart: false, properties: [.sessionExpiryInterval(3600)])
        #expect(!again.sessionPresent)
        #expect(again.link.takePublishes().isEmpty)
        f.advance(seconds: 120)
        #expect(watcher.link.takePublishes().isEmpty)  // not a second time
        // Connected: told why (MQTT 5: administrative action) and closed, its session gone with it.
        f.subscribe(again.id, again.link, "cmd", qos: .atLeastOnce)
        #expect(f.broker.discardSession(clientID: "dev", now: f.now))
        #expect(again.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .administrativeAction))])
        #expect(again.link.isClosed)
        f.broker.connectionClosed(again.id, now: f.now)
        #expect(!f.broker.clients().contains { $0.clientID == "dev" })
        #expect(!f.connect("dev", cleanStart: false).sessionPresent)
    }

    @Test func keepAliveClosesSilentClientsAfterOneAndAHalfTimes() {
        var f = MQTTBrokerFixture()
        let watcher = f.connect("watcher")
        f.subscribe(watcher.id, watcher.link, "w", qos: .atMostOnce)
        let c = f.connect("c", keepAlive: 10, will: MQTTWill(topic: "w", payload: [1], qos: .atMostOnce, retain: false))
        f.advance(seconds: 9)
        f.broker.receive(.pingreq, on: c.id, now: f.now)
        #expect(c.link.take() == [.pingresp])
        f.advance(seconds: 14)
        #expect(!c.link.isClosed)
        f.advance(seconds: 2)
        #expect(c.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .keepAliveTimeout))])
        #expect(c.link.isClosed)
        #expect(watcher.link.takePublishes().count == 1)
    }

    @Test func serverKeepAliveReplacesALongerOne() {
        var configuration = MQTTBrokerConfiguration()
        configuration.maximumKeepAlive = 30
        let f = MQTTBrokerFixture(configuration: configuration)
        let link = RecordingLink()
        _ = f.broker.connect(MQTTConnect(version: .v5, clientID: "k", keepAlive: 0), identity: .guest, link: link, now: f.now)
        guard case .connack(let ack) = link.take().first else { Issue.record("no CONNACK"); return }
        #expect(ack.properties.serverKeepAlive == 30)
    }

    @Test func theMaximumKeepAliveChangesForLaterConnections() {
        let f = MQTTBrokerFixture()
        func connackKeepAlive(_ clientID: String, asks keepAlive: UInt16) -> UInt16? {
            let link = RecordingLink()
            _ = f.broker.connect(
                MQTTConnect(version: .v5, clientID: clientID, keepAlive: keepAlive), identity: .guest, link: link,
                now: f.now)
            guard case .connack(let ack) = link.take().first else { return 0 }
            return ack.properties.serverKeepAlive
        }
        #expect(connackKeepAlive("a", asks: 120) == nil)
        f.broker.setMaximumKeepAlive(60)
        #expect(connackKeepAlive("b", asks: 120) == 60)
        #expect(connackKeepAlive("c", asks: 30) == nil)
        #expect(connackKeepAlive("d", asks: 0) == 60)
        f.broker.setMaximumKeepAlive(nil)
        #expect(connackKeepAlive("e", asks: 120) == nil)
    }

    @Test func sessionsExpireAfterTheirInterval() {
        var f = MQTTBrokerFixture()
        let s = f.connect("s", properties: [.sessionExpiryInterval(10)])
        f.subscribe(s.id, s.link, "t")
        f.broker.connectionClosed(s.id, now: f.now)
        f.advance(seconds: 5)
        #expect(f.broker.statistics.sessions == 1)
        f.advance(seconds: 6)
        #expect(f.broker.statistics.sessions == 0)
        #expect(f.broker.statistics.subscriptions == 0)
        let back = f.connect("s", cleanStart: false, properties: [.sessionExpiryInterval(10)])
        #expect(!back.sessionPresent)
    }

    @Test func expiredMessagesAreNotDeliveredFromTheQueue() {
        var f = MQTTBrokerFixture()
        let s = f.connect("s", properties: [.sessionExpiryInterval(100)])
        f.subscribe(s.id, s.link, "t")
        f.broker.connectionClosed(s.id, now: f.now)
        let p = f.connect("p")
        f.publish(p.id, "t", "short", qos: .atLeastOnce, packetID: 1, properties: [.messageExpiryInterval(5)])
        f.publish(p.id, "t", "long", qos: .atLeastOnce, packetID: 2, properties: [.messageExpiryInterval(60)])
        f.advance(seconds: 10)
        let back = f.connect("s", cleanStart: false, properties: [.sessionExpiryInterval(100)])
        let got = back.link.takePublishes()
        #expect(got.map(\.text) == ["long"])
        #expect(got.first?.properties.messageExpiryInterval == 50)
    }

    @Test func aSecondConnectionTakesTheSessionOver() {
        let f = MQTTBrokerFixture()
        let first = f.connect("same")
        _ = f.connect("same")
        #expect(first.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .sessionTakenOver))])
        #expect(first.link.isClosed)
        #expect(f.broker.statistics.connectedClients == 1)
    }

    @Test func emptyClientIdentifiers() {
        let f = MQTTBrokerFixture()
        let link = RecordingLink()
        #expect(
            f.broker.connect(MQTTConnect(version: .v311, clientID: "", cleanStart: false), identity: .guest, link: link, now: f.now)
                == nil)
        #expect(link.take() == [.connack(MQTTConnAck(sessionPresent: false, reasonCode: .v3IdentifierRejected))])
        #expect(link.isClosed)
        let v5 = RecordingLink()
        _ = f.broker.connect(MQTTConnect(version: .v5, clientID: ""), identity: .guest, link: v5, now: f.now)
        guard case .connack(let ack) = v5.take().first else { Issue.record("no CONNACK"); return }
        #expect(ack.properties.assignedClientIdentifier?.hasPrefix("auto-") == true)
    }

    @Test func disconnectMayNotRaiseASessionExpiryOfZero() {
        let f = MQTTBrokerFixture()
        let c = f.connect("c")
        f.broker.receive(.disconnect(MQTTDisconnect(properties: [.sessionExpiryInterval(60)])), on: c.id, now: f.now)
        #expect(c.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .protocolError))])
    }

    @Test func aSecondConnectIsAProtocolError() {
        let f = MQTTBrokerFixture()
        let c = f.connect("c")
        f.broker.receive(.connect(MQTTConnect(version: .v5, clientID: "c")), on: c.id, now: f.now)
        #expect(c.link.take() == [.disconnect(MQTTDisconnect(reasonCode: .protocolError))])
        #expect(c.link.isClosed)
    }
}
