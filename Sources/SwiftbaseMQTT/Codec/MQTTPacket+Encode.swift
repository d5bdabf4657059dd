/// Why a packet cannot be encoded: a string or binary value too long for its two-byte length, a string with
/// U+0000, or a packet past the largest Remaining Length.
public struct MQTTEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { "cannot encode MQTT packet: \(message)" }
}

extension MQTTPacket {
    /// The packet's bytes for a connection speaking `version`: fixed header, variable header, payload. MQTT 5
    /// acknowledgements with reason Success and no properties take their short form (§3.4.2.1), as do DISCONNECT
    /// and AUTH (§3.14.2.1, §3.15.2.1).
    public func encoded(version: MQTTProtocolVersion) throws(MQTTEncodingError) -> [UInt8] {
        let v5 = version == .v5
        var body = MQTTByteWriter()
        var flags: UInt8 = 0
        switch self {
        case .connect(let c):
            try check(c.clientID)
            body.string("MQTT")
            body.byte(c.version.rawValue)
            var f: UInt8 = c.cleanStart ? 0x02 : 0
            if let will = c.will {
                f |= 0x04 | will.qos.rawValue << 3 | (will.retain ? 0x20 : 0)
            }
            if c.username != nil { f |= 0x80 }
            if c.password != nil { f |= 0x40 }
            body.byte(f)
            body.uint16(c.keepAlive)
            if c.version == .v5 { c.properties.encode(into: &body) }
            body.string(c.clientID)
            if let will = c.will {
                if c.version == .v5 { will.properties.encode(into: &body) }
                try check(will.topic)
                try checkBinary(will.payload)
                body.string(will.topic)
                body.binary(will.payload)
            }
            if let username = c.username {
                try check(username)
                body.string(username)
            }
            if let password = c.password {
                try checkBinary(password)
                body.binary(password)
            }
        case .connack(let c):
            body.byte(c.sessionPresent ? 1 : 0)
            body.byte(c.reasonCode.rawValue)
            if v5 { c.properties.encode(into: &body) }
        case .publish(let p):
            try check(p.topic)
            flags = (p.dup ? 0x08 : 0) | p.qos.rawValue << 1 | (p.retain ? 0x01 : 0)
            body.string(p.topic)
            if p.qos != .atMostOnce { body.uint16(p.packetID ?? 0) }
            if v5 { p.properties.encode(into: &body) }
            body.append(p.payload)
        case .puback(let a), .pubrec(let a), .pubcomp(let a):
            encodeAck(a, into: &body, v5: v5)
        case .pubrel(let a):
            flags = 0x02
            encodeAck(a, into: &body, v5: v5)
        case .subscribe(let s):
            flags = 0x02
            body.uint16(s.packetID)
            if v5 { s.properties.encode(into: &body) }
            for sub in s.subscriptions {
                try check(sub.filter)
                body.string(sub.filter)
                var options = sub.qos.rawValue
                if v5 {
                    options |= (sub.noLocal ? 0x04 : 0) | (sub.retainAsPublished ? 0x08 : 0) | sub.retainHandling << 4
                }
                body.byte(options)
            }
        case .suback(let s):
            body.uint16(s.packetID)
            if v5 { s.properties.encode(into: &body) }
            body.append(s.reasonCodes.map(\.rawValue))
        case .unsubscribe(let u):
            flags = 0x02
            body.uint16(u.packetID)
            if v5 { u.properties.encode(into: &body) }
            for filter in u.filters {
                try check(filter)
                body.string(filter)
            }
        case .unsuback(let u):
            body.uint16(u.packetID)
            if v5 {
                u.properties.encode(into: &body)
                body.append(u.reasonCodes.map(\.rawValue))
            }
        case .pingreq, .pingresp:
            break
        case .disconnect(let d):
            if v5 { encodeReasonAndProperties(d.reasonCode, d.properties, into: &body) }
        case .auth(let a):
            encodeReasonAndProperties(a.reasonCode, a.properties, into: &body)
        }
        guard body.bytes.count <= MQTTPacketDecoder.maximumRemainingLength else {
            throw MQTTEncodingError(message: "packet longer than 268,435,455 bytes")
        }
        var out = MQTTByteWriter(capacity: body.bytes.count + 5)
        out.byte(typeCode << 4 | flags)
        out.variableInteger(UInt32(body.bytes.count))
        out.append(body.bytes)
        return out.bytes
    }

    private func encodeAck(_ a: MQTTAck, into body: inout MQTTByteWriter, v5: Bool) {
        body.uint16(a.packetID)
        guard v5, a.reasonCode != .success || !a.properties.isEmpty else { return }
        body.byte(a.reasonCode.rawValue)
        if !a.properties.isEmpty { a.properties.encode(into: &body) }
    }

    private func encodeReasonAndProperties(
        _ code: MQTTReasonCode, _ properties: MQTTProperties, into body: inout MQTTByteWriter
    ) {
        guard code != .success || !properties.isEmpty else { return }
        body.byte(code.rawValue)
        if !properties.isEmpty { properties.encode(into: &body) }
    }

    private func check(_ string: String) throws(MQTTEncodingError) {
        guard MQTTUTF8.isSendable(string) else {
            throw MQTTEncodingError(message: "string longer than 65,535 bytes or with U+0000")
        }
    }

    private func checkBinary(_ bytes: [UInt8]) throws(MQTTEncodingError) {
        guard bytes.count <= 65_535 else { throw MQTTEncodingError(message: "binary data longer than 65,535 bytes") }
    }
}
