extension MQTTPacket {
    /// Decodes one packet from its fixed header's first byte and its variable header + payload (`body`), for a
    /// connection speaking `version`. CONNECT names its own version, so `version` is ignored for it.
    ///
    /// Checks every rule the spec makes a Malformed Packet or Protocol Error: reserved flag bits, QoS 3, DUP on
    /// QoS 0, the CONNECT flags' combinations, property identifiers and values, UTF-8 strings, topic names without
    /// wildcards, valid topic filters, at least one filter per (UN)SUBSCRIBE, nothing left over.
    public static func decode(
        firstByte: UInt8, body: ArraySlice<UInt8>, version: MQTTProtocolVersion
    ) throws(MQTTProtocolError) -> MQTTPacket {
        let type = firstByte >> 4
        let flags = firstByte & 0x0F
        var r = MQTTByteReader(body)
        let v5 = version == .v5
        func requireFlags(_ expected: UInt8) throws(MQTTProtocolError) {
            guard flags == expected else { throw .malformed("reserved flags of packet type \(type) are wrong") }
        }
        func finish(_ packet: MQTTPacket) throws(MQTTProtocolError) -> MQTTPacket {
            guard r.isAtEnd else { throw .malformed("bytes left over after packet type \(type)") }
            return packet
        }
        switch type {
        case 1:
            try requireFlags(0)
            return .connect(try decodeConnect(&r))
        case 2:
            try requireFlags(0)
            let ackFlags = try r.byte()
            guard ackFlags & 0xFE == 0 else { throw .malformed("CONNACK reserved flags set") }
            let code = MQTTReasonCode(rawValue: try r.byte())
            let properties = v5 ? try MQTTProperties.decode(from: &r, context: .connack) : []
            return try finish(.connack(MQTTConnAck(sessionPresent: ackFlags == 1, reasonCode: code, properties: properties)))
        case 3:
            return try finish(.publish(try decodePublish(flags: flags, &r, v5: v5)))
        case 4:
            try requireFlags(0)
            return try finish(.puback(try decodeAck(&r, v5: v5, context: .puback)))
        case 5:
            try requireFlags(0)
            return try finish(.pubrec(try decodeAck(&r, v5: v5, context: .pubrec)))
        case 6:
            try requireFlags(2)
            return try finish(.pubrel(try decodeAck(&r, v5: v5, context: .pubrel)))
        case 7:
            try requireFlags(0)
            return try finish(.pubcomp(try decodeAck(&r, v5: v5, context: .pubcomp)))
        case 8:
            try requireFlags(2)
            return try finish(.subscribe(try decodeSubscribe(&r, v5: v5)))
        case 9:
            try requireFlags(0)
            let id = try r.uint16()
            let properties = v5 ? try MQTTProperties.decode(from: &r, context: .suback) : []
            let codes = r.rest().map { MQTTReasonCode(rawValue: $0) }
            guard !codes.isEmpty else { throw .malformed("SUBACK without return codes") }
            return .suback(MQTTSubAck(packetID: id, reasonCodes: codes, properties: properties))
        case 10:
            try requireFlags(2)
            let id = try r.uint16()
            guard id != 0 else { throw .malformed("packet identifier 0") }
            let properties = v5 ? try MQTTProperties.decode(from: &r, context: .unsubscribe) : []
            var filters: [String] = []
            while !r.isAtEnd {
                let filter = try r.string()
                guard MQTTTopic.isValidFilter(filter) else { throw .malformed("invalid topic filter") }
                filters.append(filter)
            }
            guard !filters.isEmpty else { throw .protocolError("UNSUBSCRIBE without topic filters") }
            return .unsubscribe(MQTTUnsubscribe(packetID: id, filters: filters, properties: properties))
        case 11:
            try requireFlags(0)
            let id = try r.uint16()
            if !v5 { return try finish(.unsuback(MQTTUnsubAck(packetID: id))) }
            let properties = try MQTTProperties.decode(from: &r, context: .unsuback)
            let codes = r.rest().map { MQTTReasonCode(rawValue: $0) }
            return .unsuback(MQTTUnsubAck(packetID: id, reasonCodes: codes, properties: properties))
        case 12:
            try requireFlags(0)
            return try finish(.pingreq)
        case 13:
            try requireFlags(0)
            return try finish(.pingresp)
        case 14:
            try requireFlags(0)
            guard v5, !r.isAtEnd else { return try finish(.disconnect(MQTTDisconnect())) }
            let code = MQTTReasonCode(rawValue: try r.byte())
            let properties = r.isAtEnd ? [] : try MQTTProperties.decode(from: &r, context: .disconnect)
            return try finish(.disconnect(MQTTDisconnect(reasonCode: code, properties: properties)))
        case 15:
            guard v5 else { throw .malformed("AUTH is an MQTT 5 packet") }
            try requireFlags(0)
            guard !r.isAtEnd else { return .auth(MQTTAuth()) }
            let code = MQTTReasonCode(rawValue: try r.byte())
            let properties = r.isAtEnd ? [] : try MQTTProperties.decode(from: &r, context: .auth)
            return try finish(.auth(MQTTAuth(reasonCode: code, properties: properties)))
        default:
            throw .malformed("reserved packet type 0")
        }
    }

    private static func decodeConnect(_ r: inout MQTTByteReader) throws(MQTTProtocolError) -> MQTTConnect {
        let name = try r.string()
        let level = try r.byte()
        guard name == "MQTT" || (name == "MQIsdp" && level == 3) else {
            throw .protocolError("protocol name \"\(name)\" is not MQTT")
        }
        guard let version = MQTTProtocolVersion(rawValue: level) else {
            throw MQTTProtocolError(.unsupportedProtocolVersion, "protocol level \(level) is not supported")
        }
        let v5 = version == .v5
        let flags = try r.byte()
        guard flags & 0x01 == 0 else { throw .malformed("CONNECT reserved flag set") }
        let hasUsername = flags & 0x80 != 0
        let hasPassword = flags & 0x40 != 0
        let willRetain = flags & 0x20 != 0
        let willQoSBits = (flags >> 3) & 0x03
        let hasWill = flags & 0x04 != 0
        let cleanStart = flags & 0x02 != 0
        guard willQoSBits != 3 else { throw .malformed("will QoS 3") }
        if !hasWill && (willQoSBits != 0 || willRetain) { throw .malformed("will QoS or retain without a will") }
        if !v5 && hasPassword && !hasUsername { throw .malformed("password without user name") }
        let keepAlive = try r.uint16()
        let properties = v5 ? try MQTTProperties.decode(from: &r, context: .connect) : []
        if properties.authenticationMethod == nil,
            properties.items.contains(where: { $0.identifier == .authenticationData })
        {
            throw .protocolError("authentication data without an authentication method")
        }
        let clientID = try r.string()
        var will: MQTTWill?
        if hasWill {
            let willProperties = v5 ? try MQTTProperties.decode(from: &r, context: .will) : []
            let topic = try r.string()
            guard MQTTTopic.isValidName(topic) else { throw .malformed("will topic is not a valid topic name") }
            let payload = try r.binary()
            will = MQTTWill(
                topic: topic, payload: payload, qos: MQTTQoS(rawValue: willQoSBits) ?? .atMostOnce, retain: willRetain,
                properties: willProperties)
        }
        let username = hasUsername ? try r.string() : nil
        let password = hasPassword ? try r.binary() : nil
        guard r.isAtEnd else { throw .malformed("bytes left over after CONNECT") }
        return MQTTConnect(
            version: version, clientID: clientID, cleanStart: cleanStart, keepAlive: keepAlive, username: username,
            password: password, will: will, properties: properties)
    }

    private static func decodePublish(
        flags: UInt8, _ r: inout MQTTByteReader, v5: Bool
    ) throws(MQTTProtocolError) -> MQTTPublish {
        guard let qos = MQTTQoS(rawValue: (flags >> 1) & 0x03) else { throw .malformed("PUBLISH with QoS 3") }
        let dup = flags & 0x08 != 0
        if dup && qos == .atMostOnce { throw .malformed("DUP set on a QoS 0 PUBLISH") }
        let topic = try r.string()
        var packetID: UInt16?
        if qos != .atMostOnce {
            let id = try r.uint16()
            guard id != 0 else { throw .malformed("packet identifier 0") }
            packetID = id
        }
        let properties = v5 ? try MQTTProperties.decode(from: &r, context: .publish) : []
        // MQTT 5 lets a PUBLISH leave its topic empty when it carries a topic alias (§3.3.2.3.4).
        if !(topic.isEmpty && properties.topicAlias != nil) {
            guard MQTTTopic.isValidName(topic) else { throw .malformed("PUBLISH topic is empty or has a wildcard") }
        }
        return MQTTPublish(
            topic: topic, payload: Array(r.rest()), qos: qos, retain: flags & 0x01 != 0, dup: dup, packetID: packetID,
            properties: properties)
    }

    private static func decodeAck(
        _ r: inout MQTTByteReader, v5: Bool, context: MQTTPropertyContext
    ) throws(MQTTProtocolError) -> MQTTAck {
        let id = try r.uint16()
        guard id != 0 else { throw .malformed("packet identifier 0") }
        guard v5, !r.isAtEnd else { return MQTTAck(packetID: id) }
        let code = MQTTReasonCode(rawValue: try r.byte())
        let properties = r.isAtEnd ? [] : try MQTTProperties.decode(from: &r, context: context)
        return MQTTAck(packetID: id, reasonCode: code, properties: properties)
    }

    private static func decodeSubscribe(_ r: inout MQTTByteReader, v5: Bool) throws(MQTTProtocolError) -> MQTTSubscribe {
        let id = try r.uint16()
        guard id != 0 else { throw .malformed("packet identifier 0") }
        let properties = v5 ? try MQTTProperties.decode(from: &r, context: .subscribe) : []
        var subscriptions: [MQTTSubscription] = []
        while !r.isAtEnd {
            let filter = try r.string()
            guard MQTTTopic.isValidFilter(filter) else { throw .malformed("invalid topic filter") }
            let options = try r.byte()
            guard let qos = MQTTQoS(rawValue: options & 0x03) else { throw .malformed("subscription QoS 3") }
            if v5 {
                guard options & 0xC0 == 0 else { throw .malformed("subscription options reserved bits set") }
                let retainHandling = (options >> 4) & 0x03
                guard retainHandling != 3 else { throw .protocolError("retain handling 3") }
                let noLocal = options & 0x04 != 0
                if noLocal && MQTTTopic.SharedFilter(filter) != nil {
                    throw .protocolError("no local on a shared subscription")
                }
                subscriptions.append(
                    MQTTSubscription(
                        filter: filter, qos: qos, noLocal: noLocal, retainAsPublished: options & 0x08 != 0,
                        retainHandling: retainHandling))
            } else {
                guard options & 0xFC == 0 else { throw .malformed("subscription options reserved bits set") }
                subscriptions.append(MQTTSubscription(filter: filter, qos: qos))
            }
        }
        guard !subscriptions.isEmpty else { throw .protocolError("SUBSCRIBE without topic filters") }
        return MQTTSubscribe(packetID: id, subscriptions: subscriptions, properties: properties)
    }
}
