/// A reason code (MQTT 5.0 §2.4) or, for MQTT 3.1.1, a CONNACK return code or SUBACK return code: one byte
/// whose meaning depends on the packet it travels in. Values of 0x80 and above are failures.
public struct MQTTReasonCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public var isFailure: Bool { rawValue >= 0x80 }
    public var description: String { "0x" + String(rawValue, radix: 16, uppercase: true) }

    // MARK: - MQTT 5.0 (§2.4, table 2-6)

    public static let success = Self(rawValue: 0x00)
    public static let normalDisconnection = Self(rawValue: 0x00)
    public static let grantedQoS0 = Self(rawValue: 0x00)
    public static let grantedQoS1 = Self(rawValue: 0x01)
    public static let grantedQoS2 = Self(rawValue: 0x02)
    public static let disconnectWithWillMessage = Self(rawValue: 0x04)
    public static let noMatchingSubscribers = Self(rawValue: 0x10)
    public static let noSubscriptionExisted = Self(rawValue: 0x11)
    public static let continueAuthentication = Self(rawValue: 0x18)
    public static let reAuthenticate = Self(rawValue: 0x19)
    public static let unspecifiedError = Self(rawValue: 0x80)
    public static let malformedPacket = Self(rawValue: 0x81)
    public static let protocolError = Self(rawValue: 0x82)
    public static let implementationSpecificError = Self(rawValue: 0x83)
    public static let unsupportedProtocolVersion = Self(rawValue: 0x84)
    public static let clientIdentifierNotValid = Self(rawValue: 0x85)
    public static let badUserNameOrPassword = Self(rawValue: 0x86)
    public static let notAuthorized = Self(rawValue: 0x87)
    public static let serverUnavailable = Self(rawValue: 0x88)
    public static let serverBusy = Self(rawValue: 0x89)
    public static let banned = Self(rawValue: 0x8A)
    public static let serverShuttingDown = Self(rawValue: 0x8B)
    public static let badAuthenticationMethod = Self(rawValue: 0x8C)
    public static let keepAliveTimeout = Self(rawValue: 0x8D)
    public static let sessionTakenOver = Self(rawValue: 0x8E)
    public static let topicFilterInvalid = Self(rawValue: 0x8F)
    public static let topicNameInvalid = Self(rawValue: 0x90)
    public static let packetIdentifierInUse = Self(rawValue: 0x91)
    public static let packetIdentifierNotFound = Self(rawValue: 0x92)
    public static let receiveMaximumExceeded = Self(rawValue: 0x93)
    public static let topicAliasInvalid = Self(rawValue: 0x94)
    public static let packetTooLarge = Self(rawValue: 0x95)
    public static let messageRateTooHigh = Self(rawValue: 0x96)
    public static let quotaExceeded = Self(rawValue: 0x97)
    public static let administrativeAction = Self(rawValue: 0x98)
    public static let payloadFormatInvalid = Self(rawValue: 0x99)
    public static let retainNotSupported = Self(rawValue: 0x9A)
    public static let qosNotSupported = Self(rawValue: 0x9B)
    public static let useAnotherServer = Self(rawValue: 0x9C)
    public static let serverMoved = Self(rawValue: 0x9D)
    public static let sharedSubscriptionsNotSupported = Self(rawValue: 0x9E)
    public static let connectionRateExceeded = Self(rawValue: 0x9F)
    public static let maximumConnectTime = Self(rawValue: 0xA0)
    public static let subscriptionIdentifiersNotSupported = Self(rawValue: 0xA1)
    public static let wildcardSubscriptionsNotSupported = Self(rawValue: 0xA2)

    // MARK: - MQTT 3.1.1 CONNACK return codes (§3.2.2.3)

    public static let v3Accepted = Self(rawValue: 0)
    public static let v3UnacceptableProtocolVersion = Self(rawValue: 1)
    public static let v3IdentifierRejected = Self(rawValue: 2)
    public static let v3ServerUnavailable = Self(rawValue: 3)
    public static let v3BadUserNameOrPassword = Self(rawValue: 4)
    public static let v3NotAuthorized = Self(rawValue: 5)

    /// The MQTT 3.1.1 CONNACK return code closest to this MQTT 5 CONNACK reason code (MQTT 5.0 §3.2.2.2 names the
    /// pairs for servers that answer a 3.1.1 client).
    public var v3ConnectReturnCode: MQTTReasonCode {
        switch self {
        case .success: .v3Accepted
        case .unsupportedProtocolVersion: .v3UnacceptableProtocolVersion
        case .clientIdentifierNotValid: .v3IdentifierRejected
        case .badUserNameOrPassword: .v3BadUserNameOrPassword
        case .notAuthorized, .banned: .v3NotAuthorized
        default: .v3ServerUnavailable
        }
    }
}
