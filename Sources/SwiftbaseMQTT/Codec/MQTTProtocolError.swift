/// Why bytes from a peer are not a valid MQTT packet, with the reason code MQTT 5 says to close with.
///
/// `description` names the rule broken, never the bytes, so it is safe to log.
public struct MQTTProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The MQTT 5 reason code for the DISCONNECT (or CONNACK) that answers this error.
    public var reasonCode: MQTTReasonCode
    /// What was wrong, for logs and tests.
    public var message: String

    public init(_ reasonCode: MQTTReasonCode, _ message: String) {
        self.reasonCode = reasonCode
        self.message = message
    }

    public var description: String { "MQTT \(reasonCode): \(message)" }

    static func malformed(_ message: String) -> Self { Self(.malformedPacket, message) }
    static func protocolError(_ message: String) -> Self { Self(.protocolError, message) }
}
