/// The broker's way to one connected client: the transport (a TCP or WebSocket channel) encodes and writes what
/// it is given. The broker never waits on it.
public protocol MQTTClientLink: AnyObject, Sendable {
    /// Queues `packet` for the client. When `droppable` (a QoS 0 PUBLISH) and the client's outbound queue is full,
    /// drops it and returns false; other packets are always queued (their number is bounded by the in-flight
    /// window).
    func send(_ packet: MQTTPacket, droppable: Bool) -> Bool
    /// Closes the connection after what was queued before is written.
    func close()
}

/// Identifies one network connection of the broker (a client reconnecting gets a new one).
public struct MQTTConnectionID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64
    public var description: String { "#\(rawValue)" }
}
