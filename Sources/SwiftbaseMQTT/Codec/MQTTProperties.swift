/// An MQTT 5 property list, in wire order. Empty for MQTT 3.1.1, which has no properties.
public struct MQTTProperties: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var items: [MQTTProperty]

    public init(_ items: [MQTTProperty] = []) {
        self.items = items
    }

    public init(arrayLiteral elements: MQTTProperty...) {
        items = elements
    }

    public var isEmpty: Bool { items.isEmpty }

    public mutating func append(_ property: MQTTProperty) { items.append(property) }

    /// Removes every property with `identifier`.
    public mutating func remove(_ identifier: MQTTProperty.Identifier) {
        items.removeAll { $0.identifier == identifier }
    }

    // MARK: - Typed reads (the first occurrence)

    public var sessionExpiryInterval: UInt32? {
        for case .sessionExpiryInterval(let v) in items { return v }
        return nil
    }
    public var messageExpiryInterval: UInt32? {
        for case .messageExpiryInterval(let v) in items { return v }
        return nil
    }
    public var willDelayInterval: UInt32? {
        for case .willDelayInterval(let v) in items { return v }
        return nil
    }
    public var receiveMaximum: UInt16? {
        for case .receiveMaximum(let v) in items { return v }
        return nil
    }
    public var maximumPacketSize: UInt32? {
        for case .maximumPacketSize(let v) in items { return v }
        return nil
    }
    public var topicAliasMaximum: UInt16? {
        for case .topicAliasMaximum(let v) in items { return v }
        return nil
    }
    public var topicAlias: UInt16? {
        for case .topicAlias(let v) in items { return v }
        return nil
    }
    public var payloadFormatIndicator: UInt8? {
        for case .payloadFormatIndicator(let v) in items { return v }
        return nil
    }
    public var authenticationMethod: String? {
        for case .authenticationMethod(let v) in items { return v }
        return nil
    }
    public var requestProblemInformation: UInt8? {
        for case .requestProblemInformation(let v) in items { return v }
        return nil
    }
    public var subscriptionIdentifiers: [UInt32] {
        items.compactMap { if case .subscriptionIdentifier(let v) = $0 { v } else { nil } }
    }
    public var assignedClientIdentifier: String? {
        for case .assignedClientIdentifier(let v) in items { return v }
        return nil
    }
    public var serverKeepAlive: UInt16? {
        for case .serverKeepAlive(let v) in items { return v }
        return nil
    }
    public var userProperties: [(name: String, value: String)] {
        items.compactMap { if case .userProperty(let n, let v) = $0 { (n, v) } else { nil } }
    }
}
