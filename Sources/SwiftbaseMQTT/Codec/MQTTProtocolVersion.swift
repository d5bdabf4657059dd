/// The protocol levels a CONNECT may name. 3.1 (level 3, protocol name `MQIsdp`) is not spoken: such a client is
/// answered "unacceptable protocol version", as MQTT 3.1.1 §3.2.2.3 says.
public enum MQTTProtocolVersion: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// MQTT 3.1.1 (OASIS, 2014).
    case v311 = 4
    /// MQTT 5.0 (OASIS, 2019): properties, reason codes on every acknowledgement.
    case v5 = 5

    public var description: String { self == .v5 ? "5.0" : "3.1.1" }
}
