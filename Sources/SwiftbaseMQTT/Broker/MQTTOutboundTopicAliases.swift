/// The topic aliases the server uses towards one MQTT 5 client (§3.3.2.3.4), when the client's CONNECT allowed
/// them (a Topic Alias Maximum above 0): the first PUBLISH to a topic carries the topic and a new alias, later
/// ones the alias and an empty topic — a device on a metered link stops paying for the same long topic on every
/// message. Aliases are handed out until the client's maximum (or `limit`, which bounds the server's memory per
/// connection) is reached, and never reassigned: a topic that finds none free goes out whole.
///
/// Held by the connection's link and applied in the order packets reach the socket (the broker's own order of
/// sending can differ between threads): an alias is only ever used after the packet that set it. An alias lives
/// as long as its network connection, so a new connection (and every resend on it) starts without any.
struct MQTTOutboundTopicAliases: Sendable {
    /// Aliases this connection may use: 1 … `maximum`.
    let maximum: UInt16
    /// The client's Maximum Packet Size: an alias that would make a packet larger is not added.
    private let maximumPacketSize: Int?
    private var aliases: [String: UInt16] = [:]

    /// No table (nil) for a client that allows no aliases, or when `limit` is 0.
    init?(clientMaximum: UInt16?, limit: UInt16, maximumPacketSize: UInt32?) {
        let maximum = min(clientMaximum ?? 0, limit)
        guard maximum > 0 else { return nil }
        self.maximum = maximum
        self.maximumPacketSize = maximumPacketSize.map { Int($0) }
    }

    /// `publish` encoded for the client: with its topic replaced by a known alias, or with a new alias added.
    mutating func encode(_ publish: MQTTPublish) throws(MQTTEncodingError) -> [UInt8] {
        var aliased = publish
        if let alias = aliases[publish.topic] {
            aliased.topic = ""
            aliased.properties.append(.topicAlias(alias))
            return try MQTTPacket.publish(aliased).encoded(version: .v5)
        }
        guard aliases.count < Int(maximum) else { return try MQTTPacket.publish(publish).encoded(version: .v5) }
        let alias = UInt16(aliases.count + 1)
        aliased.properties.append(.topicAlias(alias))
        let bytes = try MQTTPacket.publish(aliased).encoded(version: .v5)
        if let maximumPacketSize, bytes.count > maximumPacketSize {
            return try MQTTPacket.publish(publish).encoded(version: .v5)
        }
        aliases[publish.topic] = alias
        return bytes
    }
}
