import SwiftbaseTesting

@testable import SwiftbaseMQTT

/// Random packets in the form the codec writes them (so encode → decode must give them back): valid strings and
/// topics, properties each allowed where they are, 3.1.1 packets without MQTT 5 fields.
struct MQTTPacketGenerator {
    var random: SeededRandom
    let version: MQTTProtocolVersion

    init(seed: UInt64, version: MQTTProtocolVersion) {
        random = SeededRandom(seed: seed)
        self.version = version
    }

    var v5: Bool { version == .v5 }

    mutating func packet() -> MQTTPacket {
        switch random.int(0..<(v5 ? 15 : 14)) {
        case 0: .connect(connect())
        case 1:
            .connack(
                MQTTConnAck(
                    sessionPresent: random.chance(50), reasonCode: reason(),
                    properties: properties(context: .connack)))
        case 2: .publish(publish())
        case 3: .puback(ack(.puback))
        case 4: .pubrec(ack(.pubrec))
        case 5: .pubrel(ack(.pubrel))
        case 6: .pubcomp(ack(.pubcomp))
        case 7: .subscribe(subscribe())
        case 8:
            .suback(
                MQTTSubAck(
                    packetID: packetID(), reasonCodes: (0..<random.int(1..<5)).map { _ in reason() },
                    properties: properties(context: .suback)))
        case 9:
            .unsubscribe(
                MQTTUnsubscribe(
                    packetID: packetID(), filters: (0..<random.int(1..<4)).map { _ in filter() },
                    properties: properties(context: .unsubscribe)))
        case 10:
            .unsuback(
                MQTTUnsubAck(
                    packetID: packetID(), reasonCodes: v5 ? (0..<random.int(1..<4)).map { _ in reason() } : [],
                    properties: properties(context: .unsuback)))
        case 11: .pingreq
        case 12: .pingresp
        case 13:
            v5 && random.chance(70)
                ? .disconnect(
                    MQTTDisconnect(reasonCode: reason(nonZero: true), properties: properties(context: .disconnect)))
                : .disconnect(MQTTDisconnect())
        default: .auth(MQTTAuth(reasonCode: reason(nonZero: true), properties: properties(context: .auth)))
        }
    }

    mutating func connect() -> MQTTConnect {
        let username = random.chance(50) ? string() : nil
        let password = (v5 || username != nil) && random.chance(50) ? bytes() : nil
        let will =
            random.chance(40)
            ? MQTTWill(
                topic: topic(), payload: bytes(), qos: random.pick(MQTTQoS.allCases), retain: random.chance(50),
                properties: properties(context: .will))
            : nil
        var props = properties(context: .connect)
        // Authentication data needs a method (§3.1.2.11.10).
        if props.items.contains(where: { $0.identifier == .authenticationData }) && props.authenticationMethod == nil {
            props.append(.authenticationMethod("m"))
        }
        return MQTTConnect(
            version: version, clientID: string(), cleanStart: random.chance(50), keepAlive: UInt16(random.int(0..<65_536)),
            username: username, password: password, will: will, properties: props)
    }

    mutating func publish() -> MQTTPublish {
        let qos = random.pick(MQTTQoS.allCases)
        return MQTTPublish(
            topic: topic(), payload: bytes(), qos: qos, retain: random.chance(50),
            dup: qos != .atMostOnce && random.chance(30), packetID: qos == .atMostOnce ? nil : packetID(),
            properties: properties(context: .publish))
    }

    mutating func ack(_ context: MQTTPropertyContext) -> MQTTAck {
        guard v5, random.chance(60) else { return MQTTAck(packetID: packetID()) }
        return MQTTAck(packetID: packetID(), reasonCode: reason(nonZero: true), properties: properties(context: context))
    }

    mutating func subscribe() -> MQTTSubscribe {
        var subscriptions: [MQTTSubscription] = []
        for _ in 0..<random.int(1..<4) {
            let filter = random.chance(20) ? "$share/g\(random.int(0..<9))/" + filter() : filter()
            let shared = MQTTTopic.SharedFilter(filter) != nil
            subscriptions.append(
                v5
                    ? MQTTSubscription(
                        filter: filter, qos: random.pick(MQTTQoS.allCases), noLocal: !shared && random.chance(50),
                        retainAsPublished: random.chance(50), retainHandling: UInt8(random.int(0..<3)))
                    : MQTTSubscription(filter: filter, qos: random.pick(MQTTQoS.allCases)))
        }
        var props = properties(context: .subscribe)
        props.items.removeAll { $0.identifier == .subscriptionIdentifier }
        if v5 && random.chance(40) { props.append(.subscriptionIdentifier(UInt32(random.int(1..<268_435_456)))) }
        return MQTTSubscribe(packetID: packetID(), subscriptions: subscriptions, properties: props)
    }

    // MARK: - Values

    mutating func packetID() -> UInt16 { UInt16(random.int(1..<65_536)) }

    mutating func reason(nonZero: Bool = false) -> MQTTReasonCode {
        MQTTReasonCode(rawValue: UInt8(random.int((nonZero ? 1 : 0)..<256)))
    }

    mutating func bytes() -> [UInt8] {
        (0..<random.int(0..<40)).map { _ in UInt8(random.int(0..<256)) }
    }

    /// Text from ASCII, Latin, CJK and astral planes; never U+0000 or a surrogate.
    mutating func string(minimum: Int = 0) -> String {
        var s = ""
        for _ in 0..<random.int(minimum..<(minimum + 12)) {
            let ranges: [Range<UInt32>] = [0x01..<0x80, 0x80..<0x800, 0x800..<0xD800, 0xE000..<0x10000, 0x10000..<0x110000]
            let range = random.pick(ranges)
            if let scalar = Unicode.Scalar(UInt32(random.int(Int(range.lowerBound)..<Int(range.upperBound)))) {
                s.unicodeScalars.append(scalar)
            }
        }
        return s
    }

    /// A topic name: levels of text without `+`, `#` or `/`.
    mutating func topic() -> String {
        (0..<random.int(1..<5)).map { _ in level() }.joined(separator: "/").nonEmpty ?? "t"
    }

    mutating func filter() -> String {
        var levels = (0..<random.int(1..<5)).map { _ in random.chance(25) ? "+" : level() }
        if random.chance(25) { levels.append("#") }
        return levels.joined(separator: "/").nonEmpty ?? "#"
    }

    mutating func level() -> String {
        String(string().unicodeScalars.filter { $0 != "+" && $0 != "#" && $0 != "/" })
    }

    /// A property list valid in `context` (empty for 3.1.1): each allowed identifier at most once, user properties
    /// and (in PUBLISH) subscription identifiers possibly repeated.
    mutating func properties(context: MQTTPropertyContext) -> MQTTProperties {
        guard v5 else { return [] }
        var items: [MQTTProperty] = []
        for id in MQTTProperty.Identifier.allCases where id.isAllowed(in: context) && random.chance(25) {
            for _ in 0..<(id.mayRepeat(in: context) ? random.int(1..<3) : 1) { items.append(property(id)) }
        }
        return MQTTProperties(items)
    }

    mutating func property(_ id: MQTTProperty.Identifier) -> MQTTProperty {
        let flag = UInt8(random.int(0..<2))
        let u16 = UInt16(random.int(1..<65_536))
        let u32 = UInt32(random.int(1..<Int(UInt32.max)))
        switch id {
        case .payloadFormatIndicator: return .payloadFormatIndicator(flag)
        case .messageExpiryInterval: return .messageExpiryInterval(u32)
        case .contentType: return .contentType(string())
        case .responseTopic: return .responseTopic(topic())
        case .correlationData: return .correlationData(bytes())
        case .subscriptionIdentifier: return .subscriptionIdentifier(UInt32(random.int(1..<268_435_456)))
        case .sessionExpiryInterval: return .sessionExpiryInterval(u32)
        case .assignedClientIdentifier: return .assignedClientIdentifier(string())
        case .serverKeepAlive: return .serverKeepAlive(u16)
        case .authenticationMethod: return .authenticationMethod(string())
        case .authenticationData: return .authenticationData(bytes())
        case .requestProblemInformation: return .requestProblemInformation(flag)
        case .willDelayInterval: return .willDelayInterval(u32)
        case .requestResponseInformation: return .requestResponseInformation(flag)
        case .responseInformation: return .responseInformation(string())
        case .serverReference: return .serverReference(string())
        case .reasonString: return .reasonString(string())
        case .receiveMaximum: return .receiveMaximum(u16)
        case .topicAliasMaximum: return .topicAliasMaximum(u16)
        case .topicAlias: return .topicAlias(u16)
        case .maximumQoS: return .maximumQoS(flag)
        case .retainAvailable: return .retainAvailable(flag)
        case .userProperty: return .userProperty(name: string(), value: string())
        case .maximumPacketSize: return .maximumPacketSize(u32)
        case .wildcardSubscriptionAvailable: return .wildcardSubscriptionAvailable(flag)
        case .subscriptionIdentifierAvailable: return .subscriptionIdentifierAvailable(flag)
        case .sharedSubscriptionAvailable: return .sharedSubscriptionAvailable(flag)
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
