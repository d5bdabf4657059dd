public import SwiftbaseCore

/// Decides who an MQTT CONNECT is, through the core's one resolver: user name + password of an auth record, or a
/// record token / `sbk_` API key as the password; no credentials only when `mqtt.allowAnonymous` is on.
public struct MQTTAuthenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case accepted(AuthContext)
        /// Answer CONNACK with this MQTT 5 reason (0x86 bad user name or password, 0x87 not authorized); 3.1.1
        /// clients get return code 4 or 5.
        case refused(MQTTReasonCode)
    }

    let identities: IdentityResolver
    let settings: SettingsService

    public init(identities: IdentityResolver, settings: SettingsService) {
        self.identities = identities
        self.settings = settings
    }

    public func authenticate(_ connect: MQTTConnect, clientIP: String) async -> Outcome {
        guard let passwordBytes = connect.password else {
            return settings.mqttAllowAnonymous ? .accepted(.guest) : .refused(.notAuthorized)
        }
        guard let password = String(validating: passwordBytes, as: UTF8.self) else {
            return .refused(.badUserNameOrPassword)
        }
        do {
            let identity = try await identities.resolve(
                username: connect.username ?? "", password: password, authCollection: settings.mqttAuthCollection,
                clientIP: clientIP)
            // PocketBase's superuser whitelist holds for MQTT logins too.
            if identity.isSuperuser, !settings.allowsSuperuser(from: clientIP) { return .refused(.notAuthorized) }
            return .accepted(identity)
        } catch {
            return .refused(.badUserNameOrPassword)
        }
    }
}
