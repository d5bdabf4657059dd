import DequeModule
import Foundation
import NIOCore

/// The bytes a persistent session or a retained message is stored as (see `MQTTStateStore`): a version byte, then
/// fields written with the codec's own writer — strings and properties as on the wire, payloads with a four-byte
/// length, times as wall-clock seconds (a `ContinuousClock` instant means nothing after a restart). Decoding
/// refuses anything it cannot read completely, so a damaged row is skipped rather than half-restored.
enum MQTTStateCodec {
    static let version: UInt8 = 1

    /// Converts between the broker's clock and wall-clock time, from one reading of each.
    struct Clocks {
        var now: ContinuousClock.Instant
        var wallNow: Date

        func wall(_ instant: ContinuousClock.Instant) -> Double {
            let d = (instant - now).components
            return wallNow.timeIntervalSince1970 + Double(d.seconds) + Double(d.attoseconds) / 1e18
        }

        func instant(_ wall: Double) -> ContinuousClock.Instant {
            now + .milliseconds(Int64(((wall - wallNow.timeIntervalSince1970) * 1000).rounded()))
        }
    }

    // MARK: - Retained messages

    static func encode(_ message: MQTTApplicationMessage, clocks: Clocks) -> [UInt8] {
        var w = MQTTByteWriter()
        w.byte(version)
        write(message, into: &w, clocks: clocks)
        return w.bytes
    }

    static func decodeMessage(_ bytes: [UInt8], clocks: Clocks) -> MQTTApplicationMessage? {
        var r = MQTTByteReader(bytes[...])
        guard (try? r.byte()) == version, let message = try? readMessage(&r, clocks: clocks), r.isAtEnd else {
            return nil
        }
        return message
    }

    // MARK: - Sessions

    static func encode(_ session: MQTTSession, clocks: Clocks) -> [UInt8] {
        var w = MQTTByteWriter()
        w.byte(version)
        w.string(session.clientID)
        w.uint32(session.expiryInterval)
        writeTime(session.expiresAt, into: &w, clocks: clocks)
        let subscriptions = session.subscriptions.sorted { $0.key < $1.key }
        w.uint32(UInt32(subscriptions.count))
        for (filter, entry) in subscriptions {
            w.string(filter)
            let o = entry.options
            w.byte(o.qos.rawValue | (o.noLocal ? 4 : 0) | (o.retainAsPublished ? 8 : 0) | (o.retainHandling << 4))
            w.byte(entry.identifier == nil ? 0 : 1)
            if let id = entry.identifier { w.variableInteger(id) }
        }
        let inflight = session.inflightOrder.compactMap { id in session.inflight[id].map { (id, $0) } }
        w.uint32(UInt32(inflight.count))
        for (packetID, entry) in inflight {
            w.uint16(packetID)
            w.byte((entry.released ? 1 : 0) | (entry.publish.dup ? 2 : 0))
            writePublish(entry.publish, into: &w)
        }
        w.uint32(UInt32(session.queue.count))
        for queued in session.queue {
            write(queued.message, into: &w, clocks: clocks)
            w.byte(queued.qos.rawValue | (queued.retain ? 4 : 0))
            w.uint32(UInt32(queued.subscriptionIdentifiers.count))
            for id in queued.subscriptionIdentifiers { w.variableInteger(id) }
        }
        w.uint32(UInt32(session.unreleased.count))
        for id in session.unreleased.sorted() { w.uint16(id) }
        return w.bytes
    }

    /// The session as stored, with no connection; its `expiresAt` as stored (nil when it was connected or never
    /// expires).
    static func decodeSession(_ bytes: [UInt8], clocks: Clocks) -> MQTTSession? {
        var r = MQTTByteReader(bytes[...])
        do {
            guard try r.byte() == version else { return nil }
            var session = MQTTSession(clientID: try r.string(), expiryInterval: try r.uint32())
            session.expiresAt = try readTime(&r, clocks: clocks)
            for _ in 0..<(try r.uint32()) {
                let filter = try r.string()
                let flags = try r.byte()
                guard let qos = MQTTQoS(rawValue: flags & 3) else { return nil }
                let identifier = try r.byte() == 1 ? try r.variableInteger() : nil
                session.subscriptions[filter] = MQTTSubscriptionTrie.Entry(
                    options: MQTTSubscription(
                        filter: filter, qos: qos, noLocal: flags & 4 != 0, retainAsPublished: flags & 8 != 0,
                        retainHandling: flags >> 4),
                    identifier: identifier)
            }
            for _ in 0..<(try r.uint32()) {
                let packetID = try r.uint16()
                let flags = try r.byte()
                var publish = try readPublish(&r)
                publish.packetID = packetID
                publish.dup = flags & 2 != 0
                session.inflight[packetID] = MQTTSession.Inflight(publish: publish, released: flags & 1 != 0)
                session.inflightOrder.append(packetID)
            }
            for _ in 0..<(try r.uint32()) {
                let message = try readMessage(&r, clocks: clocks)
                let flags = try r.byte()
                guard let qos = MQTTQoS(rawValue: flags & 3) else { return nil }
                var ids: [UInt32] = []
                for _ in 0..<(try r.uint32()) { ids.append(try r.variableInteger()) }
                session.queue.append(
                    MQTTSession.Queued(message: message, qos: qos, retain: flags & 4 != 0, subscriptionIdentifiers: ids))
            }
            for _ in 0..<(try r.uint32()) { session.unreleased.insert(try r.uint16()) }
            return r.isAtEnd ? session : nil
        } catch {
            return nil
        }
    }

    // MARK: - Fields

    private static func write(_ m: MQTTApplicationMessage, into w: inout MQTTByteWriter, clocks: Clocks) {
        writePublish(MQTTPublish(topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, properties: m.properties), into: &w)
        writeTime(m.expiresAt, into: &w, clocks: clocks)
        w.byte(m.publisherClientID == nil ? 0 : 1)
        if let publisher = m.publisherClientID { w.string(publisher) }
    }

    private static func readMessage(_ r: inout MQTTByteReader, clocks: Clocks) throws(MQTTProtocolError)
        -> MQTTApplicationMessage
    {
        let p = try readPublish(&r)
        let expiresAt = try readTime(&r, clocks: clocks)
        let publisher = try r.byte() == 1 ? try r.string() : nil
        return MQTTApplicationMessage(
            restoring: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, properties: p.properties,
            expiresAt: expiresAt, publisherClientID: publisher)
    }

    private static func writePublish(_ p: MQTTPublish, into w: inout MQTTByteWriter) {
        w.string(p.topic)
        w.uint32(UInt32(p.payload.count))
        w.append(p.payload)
        w.byte(p.qos.rawValue | (p.retain ? 4 : 0))
        p.properties.encode(into: &w)
    }

    private static func readPublish(_ r: inout MQTTByteReader) throws(MQTTProtocolError) -> MQTTPublish {
        let topic = try r.string()
        let payload = Array(try r.take(Int(try r.uint32())))
        let flags = try r.byte()
        guard let qos = MQTTQoS(rawValue: flags & 3) else { throw .malformed("stored QoS") }
        let properties = try MQTTProperties.decode(from: &r, context: .publish)
        return MQTTPublish(topic: topic, payload: payload, qos: qos, retain: flags & 4 != 0, properties: properties)
    }

    private static func writeTime(_ instant: ContinuousClock.Instant?, into w: inout MQTTByteWriter, clocks: Clocks) {
        w.byte(instant == nil ? 0 : 1)
        if let instant { w.string(String(clocks.wall(instant))) }
    }

    private static func readTime(_ r: inout MQTTByteReader, clocks: Clocks) throws(MQTTProtocolError)
        -> ContinuousClock.Instant?
    {
        guard try r.byte() == 1 else { return nil }
        // Within about 30 years of now: anything else is a damaged row, not a time (and would not fit a Duration).
        guard let wall = Double(try r.string()), wall.isFinite,
            abs(wall - clocks.wallNow.timeIntervalSince1970) < 1e9
        else { throw .malformed("stored time") }
        return clocks.instant(wall)
    }
}
