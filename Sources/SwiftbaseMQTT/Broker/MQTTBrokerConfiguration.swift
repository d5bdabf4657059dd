/// The broker's limits. Defaults follow Mosquitto's where it has one (in-flight window 20, queue 1,000 messages
/// per offline session, QoS 0 not queued while offline).
public struct MQTTBrokerConfiguration: Sendable {
    /// QoS 1 and 2 messages sent to one client and not yet acknowledged; lower still when the client's Receive
    /// Maximum is lower.
    public var maximumInflight: Int = 20
    /// QoS 1 and 2 messages kept per session beyond the in-flight window (while offline or busy); more are dropped
    /// and counted.
    public var maximumQueued: Int = 1000
    /// The Receive Maximum the server announces: QoS 2 messages a client may have unreleased at once.
    public var receiveMaximum: UInt16 = 1000
    /// Topic aliases a client may use towards the server (announced in CONNACK; 0 turns them off).
    public var topicAliasMaximum: UInt16 = 10
    /// Topic aliases the server uses towards a client that allows them (fewer when the client allows fewer; 0
    /// uses none): the topics remembered per connection (see `MQTTOutboundTopicAliases`).
    public var outboundTopicAliasMaximum: UInt16 = 32
    /// The largest packet accepted, announced to MQTT 5 clients: 1 MiB, as EMQX's default (the protocol allows
    /// 256 MiB, which one client could make the server buffer).
    public var maximumPacketSize: Int = 1 << 20
    /// A keep-alive longer than this (or none) is replaced by this one in CONNACK (MQTT 5 Server Keep Alive);
    /// nil accepts what the client asks.
    public var maximumKeepAlive: UInt16?
    /// Retained messages kept; a new topic past this is not retained (and counted as dropped).
    public var maximumRetained: Int = 100_000

    public init() {}
}
