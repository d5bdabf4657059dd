extension MQTTProperties {
    /// Reads a property list (§2.2.2): its length as a Variable Byte Integer, then the properties. Refuses an
    /// identifier not defined, one not allowed in `context`, a repeated one the spec allows once, and values out of
    /// the range the spec gives (a Protocol Error, §2.2.2.2 and each property's paragraph).
    static func decode(
        from reader: inout MQTTByteReader, context: MQTTPropertyContext
    ) throws(MQTTProtocolError) -> MQTTProperties {
        let length = Int(try reader.variableInteger())
        var inner = MQTTByteReader(try reader.take(length))
        var items: [MQTTProperty] = []
        var seen = Set<MQTTProperty.Identifier>()
        while !inner.isAtEnd {
            let raw = try inner.variableInteger()
            guard raw <= 0xFF, let id = MQTTProperty.Identifier(rawValue: UInt8(raw)) else {
                throw .malformed("unknown property identifier \(raw)")
            }
            guard id.isAllowed(in: context) else {
                throw .protocolError("property \(id) is not allowed in \(context)")
            }
            if !id.mayRepeat(in: context), !seen.insert(id).inserted {
                throw .protocolError("property \(id) appears more than once")
            }
            items.append(try decodeValue(of: id, from: &inner))
        }
        return MQTTProperties(items)
    }

    private static func decodeValue(
        of id: MQTTProperty.Identifier, from r: inout MQTTByteReader
    ) throws(MQTTProtocolError) -> MQTTProperty {
        func flag(_ value: UInt8) throws(MQTTProtocolError) -> UInt8 {
            guard value <= 1 else { throw .protocolError("property \(id) must be 0 or 1") }
            return value
        }
        switch id {
        case .payloadFormatIndicator: return .payloadFormatIndicator(try flag(try r.byte()))
        case .messageExpiryInterval: return .messageExpiryInterval(try r.uint32())
        case .contentType: return .contentType(try r.string())
        case .responseTopic:
            let topic = try r.string()
            guard MQTTTopic.isValidName(topic) else { throw .protocolError("response topic is not a topic name") }
            return .responseTopic(topic)
        case .correlationData: return .correlationData(try r.binary())
        case .subscriptionIdentifier:
            let value = try r.variableInteger()
            guard value != 0 else { throw .protocolError("subscription identifier 0") }
            return .subscriptionIdentifier(value)
        case .sessionExpiryInterval: return .sessionExpiryInterval(try r.uint32())
        case .assignedClientIdentifier: return .assignedClientIdentifier(try r.string())
        case .serverKeepAlive: return .serverKeepAlive(try r.uint16())
        case .authenticationMethod: return .authenticationMethod(try r.string())
        case .authenticationData: return .authenticationData(try r.binary())
        case .requestProblemInformation: return .requestProblemInformation(try flag(try r.byte()))
        case .willDelayInterval: return .willDelayInterval(try r.uint32())
        case .requestResponseInformation: return .requestResponseInformation(try flag(try r.byte()))
        case .responseInformation: return .responseInformation(try r.string())
        case .serverReference: return .serverReference(try r.string())
        case .reasonString: return .reasonString(try r.string())
        case .receiveMaximum:
            let value = try r.uint16()
            guard value != 0 else { throw .protocolError("receive maximum 0") }
            return .receiveMaximum(value)
        case .topicAliasMaximum: return .topicAliasMaximum(try r.uint16())
        case .topicAlias:
            let value = try r.uint16()
            guard value != 0 else { throw .protocolError("topic alias 0") }
            return .topicAlias(value)
        case .maximumQoS: return .maximumQoS(try flag(try r.byte()))
        case .retainAvailable: return .retainAvailable(try flag(try r.byte()))
        case .userProperty:
            let name = try r.string()
            return .userProperty(name: name, value: try r.string())
        case .maximumPacketSize:
            let value = try r.uint32()
            guard value != 0 else { throw .protocolError("maximum packet size 0") }
            return .maximumPacketSize(value)
        case .wildcardSubscriptionAvailable: return .wildcardSubscriptionAvailable(try flag(try r.byte()))
        case .subscriptionIdentifierAvailable: return .subscriptionIdentifierAvailable(try flag(try r.byte()))
        case .sharedSubscriptionAvailable: return .sharedSubscriptionAvailable(try flag(try r.byte()))
        }
    }

    /// The list's bytes without its length prefix.
    func encodedBody() -> [UInt8] {
        var w = MQTTByteWriter()
        for item in items {
            w.variableInteger(UInt32(item.identifier.rawValue))
            switch item {
            case .payloadFormatIndicator(let v), .requestProblemInformation(let v), .requestResponseInformation(let v),
                .maximumQoS(let v), .retainAvailable(let v), .wildcardSubscriptionAvailable(let v),
                .subscriptionIdentifierAvailable(let v), .sharedSubscriptionAvailable(let v):
                w.byte(v)
            case .serverKeepAlive(let v), .receiveMaximum(let v), .topicAliasMaximum(let v), .topicAlias(let v):
                w.uint16(v)
            case .messageExpiryInterval(let v), .sessionExpiryInterval(let v), .willDelayInterval(let v),
                .maximumPacketSize(let v):
                w.uint32(v)
            case .subscriptionIdentifier(let v): w.variableInteger(v)
            case .contentType(let v), .responseTopic(let v), .assignedClientIdentifier(let v),
                .authenticationMethod(let v), .responseInformation(let v), .serverReference(let v),
                .reasonString(let v):
                w.string(v)
            case .correlationData(let v), .authenticationData(let v): w.binary(v)
            case .userProperty(let name, let value):
                w.string(name)
                w.string(value)
            }
        }
        return w.bytes
    }

    /// Writes the list with its length prefix.
    func encode(into w: inout MQTTByteWriter) {
        let body = encodedBody()
        w.variableInteger(UInt32(body.count))
        w.append(body)
    }
}
