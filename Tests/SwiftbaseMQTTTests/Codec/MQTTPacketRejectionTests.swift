import Testing

@testable import SwiftbaseMQTT

/// Bytes the spec calls a Malformed Packet or a Protocol Error are refused with the reason code MQTT 5 names.
@Suite struct MQTTPacketRejectionTests {
    static let cases: [(name: String, version: MQTTProtocolVersion, bytes: [UInt8], reason: MQTTReasonCode)] = [
        ("remaining length of five bytes", .v311, [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], .malformedPacket),
        ("PUBLISH QoS 3", .v311, [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01], .malformedPacket),
        ("DUP on QoS 0", .v311, [0x38, 0x03, 0x00, 0x01, 0x74], .malformedPacket),
        ("PUBLISH topic with +", .v311, [0x30, 0x05, 0x00, 0x03, 0x61, 0x2F, 0x2B], .malformedPacket),
        ("PUBLISH topic with #", .v5, [0x30, 0x04, 0x00, 0x01, 0x23, 0x00], .malformedPacket),
        ("PUBLISH empty topic without alias", .v5, [0x30, 0x03, 0x00, 0x00, 0x00], .malformedPacket),
        ("PUBLISH topic with U+0000", .v311, [0x30, 0x04, 0x00, 0x02, 0x61, 0x00], .malformedPacket),
        ("PUBLISH topic with an overlong NUL (C0 80)", .v311, [0x30, 0x04, 0x00, 0x02, 0xC0, 0x80], .malformedPacket),
        ("PUBLISH topic with an encoded surrogate (ED A0 80)", .v311, [0x30, 0x05, 0x00, 0x03, 0xED, 0xA0, 0x80], .malformedPacket),
        ("PUBLISH topic with a lone continuation byte", .v311, [0x30, 0x03, 0x00, 0x01, 0x80], .malformedPacket),
        ("PUBLISH QoS 1 with packet identifier 0", .v311, [0x32, 0x05, 0x00, 0x01, 0x74, 0x00, 0x00], .malformedPacket),
        ("string length past the packet", .v311, [0x30, 0x03, 0x00, 0x09, 0x74], .malformedPacket),
        (
            "property repeated (payload format twice)", .v5, [0x30, 0x08, 0x00, 0x01, 0x74, 0x04, 0x01, 0x00, 0x01, 0x01],
            .protocolError
        ),
        (
            "property not allowed in PUBLISH (session expiry)", .v5,
            [0x30, 0x09, 0x00, 0x01, 0x74, 0x05, 0x11, 0x00, 0x00, 0x00, 0x01], .protocolError
        ),
        ("unknown property identifier", .v5, [0x30, 0x06, 0x00, 0x01, 0x74, 0x02, 0x7F, 0x00], .malformedPacket),
        ("payload format indicator 2", .v5, [0x30, 0x06, 0x00, 0x01, 0x74, 0x02, 0x01, 0x02], .protocolError),
        ("topic alias 0", .v5, [0x30, 0x07, 0x00, 0x01, 0x74, 0x03, 0x23, 0x00, 0x00], .protocolError),
        ("property length past the packet", .v5, [0x30, 0x05, 0x00, 0x01, 0x74, 0x09, 0x01], .malformedPacket),
        ("SUBSCRIBE with reserved flags 0000", .v311, [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x78, 0x00], .malformedPacket),
        ("SUBSCRIBE without filters", .v311, [0x82, 0x02, 0x00, 0x01], .protocolError),
        ("SUBSCRIBE a/#/b", .v311, [0x82, 0x0A, 0x00, 0x01, 0x00, 0x05, 0x61, 0x2F, 0x23, 0x2F, 0x62, 0x00], .malformedPacket),
        ("SUBSCRIBE a+", .v311, [0x82, 0x07, 0x00, 0x01, 0x00, 0x02, 0x61, 0x2B, 0x00], .malformedPacket),
        (
            "SUBSCRIBE $share/g without a filter", .v311,
            [0x82, 0x0D, 0x00, 0x01, 0x00, 0x08, 0x24, 0x73, 0x68, 0x61, 0x72, 0x65, 0x2F, 0x67, 0x00], .malformedPacket
        ),
        ("SUBSCRIBE 3.1.1 option bits above QoS", .v311, [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x78, 0x04], .malformedPacket),
        ("SUBSCRIBE 5.0 retain handling 3", .v5, [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x78, 0x30], .protocolError),
        ("SUBSCRIBE 5.0 subscription identifier 0", .v5, [0x82, 0x09, 0x00, 0x01, 0x02, 0x0B, 0x00, 0x00, 0x01, 0x78, 0x00], .protocolError),
        ("UNSUBSCRIBE without filters", .v311, [0xA2, 0x02, 0x00, 0x01], .protocolError),
        ("PUBREL with flags 0000", .v311, [0x60, 0x02, 0x00, 0x01], .malformedPacket),
        ("PINGREQ with a body", .v311, [0xC0, 0x01, 0x00], .malformedPacket),
        ("packet type 0", .v311, [0x00, 0x00], .malformedPacket),
        ("AUTH from a 3.1.1 client", .v311, [0xF0, 0x00], .malformedPacket),
        (
            "CONNECT with the reserved flag", .v311,
            [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x3C, 0x00, 0x01, 0x61], .malformedPacket
        ),
        (
            "CONNECT 3.1.1 with a password and no user name", .v311,
            [0x10, 0x10, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x42, 0x00, 0x3C, 0x00, 0x01, 0x61, 0x00, 0x01, 0x70],
            .malformedPacket
        ),
        (
            "CONNECT with will QoS but no will", .v311,
            [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x0A, 0x00, 0x3C, 0x00, 0x01, 0x61], .malformedPacket
        ),
        (
            "CONNECT protocol level 6", .v311,
            [0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x61],
            .unsupportedProtocolVersion
        ),
        (
            "CONNECT 3.1 (MQIsdp, level 3)", .v311,
            [0x10, 0x0F, 0x00, 0x06, 0x4D, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x61],
            .unsupportedProtocolVersion
        ),
        (
            "CONNECT with another protocol name", .v311,
            [0x10, 0x0D, 0x00, 0x04, 0x48, 0x54, 0x54, 0x50, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x61], .protocolError
        ),
        (
            "CONNECT 5.0 with receive maximum 0", .v5,
            [0x10, 0x10, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3C, 0x03, 0x21, 0x00, 0x00, 0x00, 0x00],
            .protocolError
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func refuses(_ index: Int) {
        let c = Self.cases[index]
        var decoder = MQTTPacketDecoder(version: c.version)
        decoder.append(c.bytes)
        do {
            let packet = try decoder.next()
            Issue.record("\(c.name): decoded as \(String(describing: packet))")
        } catch {
            #expect(error.reasonCode == c.reason, "\(c.name): \(error)")
        }
    }

    /// The limit applies as soon as the length is read: the body of a too-large packet is never awaited.
    @Test func packetOverTheMaximumIsRefusedFromItsHeader() {
        var decoder = MQTTPacketDecoder(version: .v5, maximumPacketSize: 100)
        decoder.append([0x30, 0x64])  // remaining length 100, no body yet
        #expect(throws: MQTTProtocolError(.packetTooLarge, "packet of 102 bytes is over the maximum")) {
            _ = try decoder.next()
        }
    }

    @Test(arguments: [
        ("a", true), ("a/b/c", true), ("/", true), ("$SYS/x", true), ("a/+", false), ("#", false), ("", false),
        ("a b/ü", true),
    ])
    func topicNames(_ name: String, _ valid: Bool) {
        #expect(MQTTTopic.isValidName(name) == valid, "\(name)")
    }

    @Test(arguments: [
        ("#", true), ("+", true), ("a/#", true), ("a/+/b", true), ("+/+", true), ("/#", true), ("a/#/b", false),
        ("a#", false), ("a+", false), ("a/b+/c", false), ("", false), ("$share/g/a/#", true), ("$share/g/+", true),
        ("$share/g", false), ("$share//a", false), ("$share/g+/a", false), ("$share/g/", false), ("$shares/a", true),
        // A "/" followed by a combining mark is still a level separator (topics are compared byte by byte).
        ("$share/g/\u{0301}x", true), ("a/\u{0301}+", false),
    ])
    func topicFilters(_ filter: String, _ valid: Bool) {
        #expect(MQTTTopic.isValidFilter(filter) == valid, "\(filter)")
    }

    @Test(arguments: [
        ("a/b", "a/b", true), ("a/b", "a/+", true), ("a/b", "#", true), ("a", "a/#", true), ("a/b/c", "a/#", true),
        ("a/b/c", "a/+", false), ("a", "a/+", false), ("a/", "a/+", true), ("$SYS/x", "#", false),
        ("$SYS/x", "+/x", false), ("$SYS/x", "$SYS/#", true), ("b/a", "a/#", false), ("/a", "+/a", true),
        ("a/\u{0301}b", "a/+", true), ("a/\u{0301}b", "a/\u{0301}b", true),
    ])
    func matching(_ name: String, _ filter: String, _ expected: Bool) {
        #expect(MQTTTopic.matches(name: name, filter: filter) == expected, "\(name) ~ \(filter)")
    }
}
