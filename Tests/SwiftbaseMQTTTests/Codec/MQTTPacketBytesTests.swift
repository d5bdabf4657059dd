import Testing

@testable import SwiftbaseMQTT

/// Every packet type against bytes written out by hand from the OASIS specifications (3.1.1 §3, 5.0 §3): each
/// decodes to the expected value and encodes back to the same bytes.
@Suite struct MQTTPacketBytesTests {
    static let cases: [(name: String, version: MQTTProtocolVersion, bytes: [UInt8], packet: MQTTPacket)] = [
        (
            "CONNECT 3.1.1, clean session, keep-alive 60", .v311,
            [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x61],
            .connect(MQTTConnect(version: .v311, clientID: "a", cleanStart: true, keepAlive: 60))
        ),
        (
            "CONNECT 3.1.1 with will (QoS 1, retained), user name and password", .v311,
            [
                0x10, 0x1A, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0xEC, 0x00, 0x0A, 0x00, 0x01, 0x61,
                0x00, 0x01, 0x77, 0x00, 0x02, 0x68, 0x69, 0x00, 0x01, 0x75, 0x00, 0x01, 0x70,
            ],
            .connect(
                MQTTConnect(
                    version: .v311, clientID: "a", cleanStart: false, keepAlive: 10, username: "u", password: [0x70],
                    will: MQTTWill(topic: "w", payload: [0x68, 0x69], qos: .atLeastOnce, retain: true)))
        ),
        (
            "CONNECT 5.0 with session expiry 10, user name and password", .v5,
            [
                0x10, 0x19, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0xC2, 0x00, 0x1E, 0x05, 0x11, 0x00, 0x00, 0x00,
                0x0A, 0x00, 0x01, 0x63, 0x00, 0x01, 0x75, 0x00, 0x01, 0x70,
            ],
            .connect(
                MQTTConnect(
                    version: .v5, clientID: "c", cleanStart: true, keepAlive: 30, username: "u", password: [0x70],
                    properties: [.sessionExpiryInterval(10)]))
        ),
        ("CONNACK 3.1.1 accepted", .v311, [0x20, 0x02, 0x00, 0x00], .connack(MQTTConnAck(sessionPresent: false, reasonCode: .v3Accepted))),
        ("CONNACK 3.1.1 session present", .v311, [0x20, 0x02, 0x01, 0x00], .connack(MQTTConnAck(sessionPresent: true, reasonCode: .v3Accepted))),
        (
            "CONNACK 5.0 not authorized", .v5, [0x20, 0x03, 0x00, 0x87, 0x00],
            .connack(MQTTConnAck(sessionPresent: false, reasonCode: .notAuthorized))
        ),
        (
            "CONNACK 5.0 with receive maximum 20 and an assigned identifier", .v5,
            [0x20, 0x0A, 0x00, 0x00, 0x07, 0x21, 0x00, 0x14, 0x12, 0x00, 0x01, 0x78],
            .connack(
                MQTTConnAck(
                    sessionPresent: false, reasonCode: .success,
                    properties: [.receiveMaximum(20), .assignedClientIdentifier("x")]))
        ),
        (
            "PUBLISH 3.1.1 QoS 1 retained", .v311, [0x33, 0x09, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, 0x68, 0x69],
            .publish(MQTTPublish(topic: "a/b", payload: [0x68, 0x69], qos: .atLeastOnce, retain: true, packetID: 10))
        ),
        (
            "PUBLISH 3.1.1 QoS 2 DUP, empty payload", .v311, [0x3C, 0x05, 0x00, 0x01, 0x74, 0x00, 0x07],
            .publish(MQTTPublish(topic: "t", payload: [], qos: .exactlyOnce, dup: true, packetID: 7))
        ),
        (
            "PUBLISH 5.0 QoS 0 with payload format and a user property", .v5,
            [0x30, 0x0E, 0x00, 0x01, 0x74, 0x09, 0x01, 0x01, 0x26, 0x00, 0x01, 0x6B, 0x00, 0x01, 0x76, 0x78],
            .publish(
                MQTTPublish(
                    topic: "t", payload: [0x78], properties: [.payloadFormatIndicator(1), .userProperty(name: "k", value: "v")]))
        ),
        (
            "PUBLISH 5.0 with an empty topic and topic alias 1", .v5, [0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01],
            .publish(MQTTPublish(topic: "", payload: [], properties: [.topicAlias(1)]))
        ),
        ("PUBACK 3.1.1", .v311, [0x40, 0x02, 0x00, 0x0A], .puback(MQTTAck(packetID: 10))),
        ("PUBACK 5.0 success, short form", .v5, [0x40, 0x02, 0x00, 0x0A], .puback(MQTTAck(packetID: 10))),
        (
            "PUBACK 5.0 no matching subscribers", .v5, [0x40, 0x03, 0x00, 0x0A, 0x10],
            .puback(MQTTAck(packetID: 10, reasonCode: .noMatchingSubscribers))
        ),
        ("PUBREC 3.1.1", .v311, [0x50, 0x02, 0x01, 0x00], .pubrec(MQTTAck(packetID: 256))),
        ("PUBREL 3.1.1 (flags 0010)", .v311, [0x62, 0x02, 0x00, 0x0A], .pubrel(MQTTAck(packetID: 10))),
        (
            "PUBREL 5.0 packet identifier not found, reason string", .v5,
            [0x62, 0x08, 0x00, 0x0A, 0x92, 0x04, 0x1F, 0x00, 0x01, 0x3F],
            .pubrel(MQTTAck(packetID: 10, reasonCode: .packetIdentifierNotFound, properties: [.reasonString("?")]))
        ),
        ("PUBCOMP 3.1.1", .v311, [0x70, 0x02, 0x00, 0x0A], .pubcomp(MQTTAck(packetID: 10))),
        (
            "SUBSCRIBE 3.1.1 two filters", .v311,
            [0x82, 0x0C, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2F, 0x2B, 0x01, 0x00, 0x01, 0x23, 0x02],
            .subscribe(
                MQTTSubscribe(
                    packetID: 1,
                    subscriptions: [MQTTSubscription(filter: "a/+", qos: .atLeastOnce), MQTTSubscription(filter: "#", qos: .exactlyOnce)]))
        ),
        (
            "SUBSCRIBE 5.0 with identifier 5, no local, retain as published, retain handling 2", .v5,
            [0x82, 0x09, 0x00, 0x02, 0x02, 0x0B, 0x05, 0x00, 0x01, 0x78, 0x2D],
            .subscribe(
                MQTTSubscribe(
                    packetID: 2,
                    subscriptions: [
                        MQTTSubscription(filter: "x", qos: .atLeastOnce, noLocal: true, retainAsPublished: true, retainHandling: 2)
                    ], properties: [.subscriptionIdentifier(5)]))
        ),
        (
            "SUBACK 3.1.1 granted 1 and failure", .v311, [0x90, 0x04, 0x00, 0x01, 0x01, 0x80],
            .suback(MQTTSubAck(packetID: 1, reasonCodes: [.grantedQoS1, .unspecifiedError]))
        ),
        (
            "SUBACK 5.0", .v5, [0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x87],
            .suback(MQTTSubAck(packetID: 1, reasonCodes: [.grantedQoS2, .notAuthorized]))
        ),
        (
            "UNSUBSCRIBE 3.1.1", .v311, [0xA2, 0x05, 0x00, 0x03, 0x00, 0x01, 0x78],
            .unsubscribe(MQTTUnsubscribe(packetID: 3, filters: ["x"]))
        ),
        ("UNSUBACK 3.1.1", .v311, [0xB0, 0x02, 0x00, 0x03], .unsuback(MQTTUnsubAck(packetID: 3))),
        (
            "UNSUBACK 5.0", .v5, [0xB0, 0x05, 0x00, 0x03, 0x00, 0x00, 0x11],
            .unsuback(MQTTUnsubAck(packetID: 3, reasonCodes: [.success, .noSubscriptionExisted]))
        ),
        ("PINGREQ", .v311, [0xC0, 0x00], .pingreq),
        ("PINGRESP", .v5, [0xD0, 0x00], .pingresp),
        ("DISCONNECT 3.1.1", .v311, [0xE0, 0x00], .disconnect(MQTTDisconnect())),
        ("DISCONNECT 5.0 normal, short form", .v5, [0xE0, 0x00], .disconnect(MQTTDisconnect())),
        (
            "DISCONNECT 5.0 with will message, session expiry 0", .v5, [0xE0, 0x07, 0x04, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00],
            .disconnect(MQTTDisconnect(reasonCode: .disconnectWithWillMessage, properties: [.sessionExpiryInterval(0)]))
        ),
        ("AUTH 5.0 success, short form", .v5, [0xF0, 0x00], .auth(MQTTAuth())),
        (
            "AUTH 5.0 continue authentication with a method", .v5, [0xF0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 0x6D],
            .auth(MQTTAuth(reasonCode: .continueAuthentication, properties: [.authenticationMethod("m")]))
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func decodes(_ index: Int) throws {
        let c = Self.cases[index]
        var decoder = MQTTPacketDecoder(version: c.version)
        decoder.append(c.bytes)
        #expect(try decoder.next() == c.packet, "\(c.name)")
        #expect(decoder.bufferedByteCount == 0, "\(c.name)")
    }

    @Test(arguments: 0..<cases.count)
    func encodes(_ index: Int) throws {
        let c = Self.cases[index]
        #expect(try c.packet.encoded(version: c.version) == c.bytes, "\(c.name)")
    }

    /// Bytes fed one at a time: nothing until the last byte of each packet (framing bugs hide at split points).
    @Test func dripFedBytesDecodeAtTheLastByte() throws {
        let stream = Self.cases.filter { $0.version == .v311 }
        var decoder = MQTTPacketDecoder(version: .v311)
        for c in stream {
            for (i, byte) in c.bytes.enumerated() {
                decoder.append([byte])
                let packet = try decoder.next()
                if i < c.bytes.count - 1 {
                    #expect(packet == nil, "\(c.name) at byte \(i)")
                } else {
                    #expect(packet == c.packet, "\(c.name)")
                }
            }
        }
    }

    @Test func manyPacketsInOneRead() throws {
        let stream = Self.cases.filter { $0.version == .v5 }
        var decoder = MQTTPacketDecoder(version: .v5)
        decoder.append(stream.flatMap(\.bytes))
        for c in stream { #expect(try decoder.next() == c.packet, "\(c.name)") }
        #expect(try decoder.next() == nil)
    }

    @Test func remainingLengthUsesUpToFourBytes() throws {
        // 321 bytes of payload after "t": remaining length 3 + 321 = 324 = 0xC4 0x02 (§2.2.3 example encoding).
        let payload = [UInt8](repeating: 0x41, count: 321)
        let bytes = try MQTTPacket.publish(MQTTPublish(topic: "t", payload: payload)).encoded(version: .v311)
        #expect(Array(bytes.prefix(3)) == [0x30, 0xC4, 0x02])
        var w = MQTTByteWriter()
        for value: UInt32 in [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455] {
            w.bytes = []
            w.variableInteger(value)
            #expect(w.bytes.count == MQTTByteWriter.variableIntegerSize(value))
            var r = MQTTByteReader(w.bytes[...])
            #expect(try r.variableInteger() == value)
        }
        w.bytes = []
        w.variableInteger(268_435_455)
        #expect(w.bytes == [0xFF, 0xFF, 0xFF, 0x7F])
    }
}
