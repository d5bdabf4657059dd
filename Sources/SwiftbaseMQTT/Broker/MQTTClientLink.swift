/// The broker's way to one connected client: the transport (a TCP or WebSocket channel) encodes and writes what
/// it is given. The broker never waits on it.
public protocol MQTTClientLink: AnyObject, Sendable {
    /// Queues `packet` for the client. When `droppable` (a QoS 0 PUBLISH) and the client's outbound queue is full,
    /// drops it; other packets are always queued (their number is bounded by the in-flight window).
    func send(_ packet: MQTTPacket, droppable: Bool) -> MQTTSendResult
    /// Closes the connection after what was queued before is written.
    func close()
    /// The broker now queues `count` QoS 1/2 messages for this client beyond its in-flight window; answers whether
    /// the link is congested (see `MQTTSendResult.congested`).
    func sessionQueueChanged(_ count: Int) -> Bool
    /// Calls `callback` once the link is no longer congested (at once when it is not), on any thread.
    func whenRelieved(_ callback: @escaping @Sendable () -> Void)
    /// A connection was held back for this congested link as long as it may be: until the link is relieved it
    /// stops reporting congestion (its queue limits apply instead), so a client that does not read cannot slow
    /// its publishers down for good.
    func heldBackTooLong()
}

extension MQTTClientLink {
    public func sessionQueueChanged(_ count: Int) -> Bool { false }
    public func whenRelieved(_ callback: @escaping @Sendable () -> Void) { callback() }
    public func heldBackTooLong() {}
}

/// What became of a packet handed to a link.
public enum MQTTSendResult: Sendable, Hashable {
    case queued
    /// Queued, and the client has many messages waiting: whoever feeds it should slow down
    /// (`MQTTBroker.receive` answers the congested links a PUBLISH reached).
    case congested
    /// Not queued: a QoS 0 message to a client whose queue is full.
    case dropped
}

/// Identifies one network connection of the broker (a client reconnecting gets a new one).
public struct MQTTConnectionID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64
    public var description: String { "#\(rawValue)" }
}
