/// A message on its way through the broker: what a PUBLISH or a will carried, with its expiry fixed when it
/// arrived (MQTT 5 Message Expiry Interval).
struct MQTTApplicationMessage: Sendable {
    var topic: String
    var payload: [UInt8]
    var qos: MQTTQoS
    var retain: Bool
    /// Properties passed on to subscribers (payload format, content type, response topic, correlation data, user
    /// properties); topic alias, subscription identifiers and message expiry are set per delivery.
    var properties: MQTTProperties
    /// When the message expires; nil never.
    var expiresAt: ContinuousClock.Instant?
    /// The client that published it (for No Local).
    var publisherClientID: String?

    init(
        topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool, properties: MQTTProperties,
        publisherClientID: String?, now: ContinuousClock.Instant
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        var passed = properties
        passed.remove(.topicAlias)
        passed.remove(.subscriptionIdentifier)
        passed.remove(.messageExpiryInterval)
        // Will-only properties do not travel with the message.
        passed.remove(.willDelayInterval)
        self.properties = passed
        expiresAt = properties.messageExpiryInterval.map { now + .seconds(Int64($0)) }
        self.publisherClientID = publisherClientID
    }

    /// A message as it was stored before a restart (see `MQTTStateCodec`).
    init(
        restoring topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool, properties: MQTTProperties,
        expiresAt: ContinuousClock.Instant?, publisherClientID: String?
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.expiresAt = expiresAt
        self.publisherClientID = publisherClientID
    }

    func isExpired(at now: ContinuousClock.Instant) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }

    /// The PUBLISH a subscriber receives: its QoS, retain flag and subscription identifiers, and the message
    /// expiry left (rounded up to whole seconds).
    func publish(
        qos: MQTTQoS, retain: Bool, subscriptionIdentifiers: [UInt32], now: ContinuousClock.Instant
    ) -> MQTTPublish {
        var properties = self.properties
        if let expiresAt {
            let left = expiresAt - now
            let seconds = max(1, left.components.seconds + (left.components.attoseconds > 0 ? 1 : 0))
            properties.append(.messageExpiryInterval(UInt32(clamping: seconds)))
        }
        for id in subscriptionIdentifiers { properties.append(.subscriptionIdentifier(id)) }
        return MQTTPublish(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
    }
}
