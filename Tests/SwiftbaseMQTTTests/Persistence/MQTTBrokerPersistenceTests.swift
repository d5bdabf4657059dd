import Foundation
import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

/// What a broker hands its state store, and a second broker restored from it: the restart, without a database.
@Suite struct MQTTBrokerPersistenceTests {
    /// Applies `changes` to `stored` as the store would.
    static func apply(_ changes: MQTTStoredState.Changes, to stored: inout MQTTStoredState) {
        for (key, blob) in changes.sessions { stored.sessions[key] = blob }
        for (key, blob) in changes.retained { stored.retained[key] = blob }
    }

    @Test func queuedInflightAndRetainedMessagesComeBackInAnotherBroker() {
        var stored = MQTTStoredState()
        let f = MQTTBrokerFixture()
        f.broker.restore(stored, now: f.now)
        let expiry: MQTTProperties = [.sessionExpiryInterval(3600)]
        let s = f.connect("keeper", cleanStart: false, properties: expiry)
        f.subscribe(s.id, s.link, "plant/#", qos: .exactlyOnce, identifier: 7)
        let p = f.connect("pub")
        // One message in flight (sent, not acknowledged), then the client goes away and two more queue up.
        f.publish(p.id, "plant/a", "inflight", qos: .atLeastOnce, packetID: 1)
        f.broker.connectionClosed(s.id, now: f.now)
        f.publish(p.id, "plant/b", "queued-2", qos: .exactlyOnce, packetID: 2)
        f.publish(p.id, "plant/c", "retained", qos: .atLeastOnce, retain: true, packetID: 3)
        f.publish(p.id, "plant/d", "qos0 is not queued")
        Self.apply(f.broker.takeChanges(now: f.now), to: &stored)
        #expect(Set(stored.sessions.keys) == ["keeper"])  // "pub" has a clean session that ends with it
        #expect(Set(stored.retained.keys) == ["plant/c"])
        #expect(f.broker.takeChanges(now: f.now).isEmpty)

        var g = MQTTBrokerFixture()
        g.now = f.now + .seconds(5)
        let counts = g.broker.restore(stored, now: g.now)
        #expect(counts.sessions == 1 && counts.retained == 1)
        let back = g.connect("keeper", cleanStart: false, properties: expiry)
        #expect(back.sessionPresent)
        let got = back.link.takePublishes()
        #expect(got.map(\.text) == ["inflight", "queued-2", "retained"])
        #expect(got.map(\.dup) == [true, false, false])
        #expect(got.map(\.qos) == [.atLeastOnce, .exactlyOnce, .atLeastOnce])
        #expect(got.allSatisfy { $0.properties.subscriptionIdentifiers == [7] })
        // The retained copy is there for new subscribers too.
        let late = g.connect("late")
        g.subscribe(late.id, late.link, "plant/c", qos: .atMostOnce)
        #expect(late.link.takePublishes().map(\.text) == ["retained"])
    }

    @Test func expiredSessionsAndMessagesAreNotRestored() {
        var stored = MQTTStoredState()
        let f = MQTTBrokerFixture()
        f.broker.restore(stored, now: f.now)
        let s = f.connect("short", cleanStart: false, properties: [.sessionExpiryInterval(10)])
        f.subscribe(s.id, s.link, "x/#")
        f.broker.connectionClosed(s.id, now: f.now)
        let p = f.connect("pub")
        f.publish(p.id, "x/r", "brief", qos: .atLeastOnce, retain: true, properties: [.messageExpiryInterval(10)])
        f.publish(p.id, "x/k", "kept", qos: .atLeastOnce, retain: true)
        Self.apply(f.broker.takeChanges(now: f.now), to: &stored)
        #expect(stored.sessions.keys.contains("short"))

        // Eleven seconds later by the wall clock: the session and the first message have expired.
        let g = MQTTBrokerFixture()
        let counts = g.broker.restore(stored, now: g.now, wallNow: Date().addingTimeInterval(11))
        #expect(counts.sessions == 0 && counts.retained == 1)
        // And their rows are deleted at the next save.
        let changes = g.broker.takeChanges(now: g.now, wallNow: Date().addingTimeInterval(11))
        #expect(changes.sessions["short"] == .some(nil))
        #expect(changes.retained["x/r"] == .some(nil))
    }

    @Test func aSessionConnectedAtTheStopStartsItsExpiryAtTheRestart() {
        var stored = MQTTStoredState()
        let f = MQTTBrokerFixture()
        f.broker.restore(stored, now: f.now)
        let s = f.connect("online", cleanStart: false, properties: [.sessionExpiryInterval(60)])
        f.subscribe(s.id, s.link, "y")
        Self.apply(f.broker.takeChanges(now: f.now), to: &stored)
        var g = MQTTBrokerFixture()
        g.now = f.now + .seconds(3600)
        g.broker.restore(stored, now: g.now, wallNow: Date().addingTimeInterval(3600))
        #expect(g.broker.clients().map(\.clientID) == ["online"])
        g.advance(seconds: 61)
        #expect(g.broker.clients().isEmpty)
    }

    @Test func damagedBlobsAreSkipped() {
        let f = MQTTBrokerFixture()
        let counts = f.broker.restore(
            MQTTStoredState(sessions: ["a": [1, 2, 3]], retained: ["t": [9]]), now: f.now)
        #expect(counts.sessions == 0 && counts.retained == 0)
    }

    @Test(arguments: ["inf", "nan", "1e300", "-1e300"])
    func aDamagedTimeIsSkippedNotTrusted(time: String) {
        // A retained message whose expiry time reads `time`: written as the codec does, with that text.
        var w = MQTTByteWriter()
        w.byte(MQTTStateCodec.version)
        w.string("t")
        w.uint32(1)
        w.append([0x41])
        w.byte(1)
        MQTTProperties().encode(into: &w)
        w.byte(1)
        w.string(time)
        w.byte(0)
        let f = MQTTBrokerFixture()
        #expect(f.broker.restore(MQTTStoredState(retained: ["t": w.bytes]), now: f.now).retained == 0)
        // The same bytes with a sound time are restored (the layout above is the codec's).
        var ok = MQTTByteWriter()
        ok.append(w.bytes.dropLast(time.utf8.count + 3))
        ok.string(String(Date().timeIntervalSince1970 + 60))
        ok.byte(0)
        #expect(f.broker.restore(MQTTStoredState(retained: ["t": ok.bytes]), now: f.now).retained == 1)
    }
}
