import Crypto
import Foundation

/// Standard Webhooks signing (https://www.standardwebhooks.com): a secret is `whsec_` + base64 of random
/// bytes, and a message is signed as `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed with
/// the secret's decoded bytes — what the `standardwebhooks` libraries verify.
public struct WebhookSignature: Sendable {
    public static let secretPrefix = "whsec_"

    let key: SymmetricKey

    /// The signer for `secret`; nil when it is not `whsec_` + base64.
    public init?(secret: String) {
        guard secret.hasPrefix(Self.secretPrefix),
            let bytes = Data(base64Encoded: String(secret.dropFirst(Self.secretPrefix.count))), !bytes.isEmpty
        else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// A new secret: 24 bytes from the system's secure generator.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// The `webhook-signature` header's value for one attempt of a message.
    public func sign(messageId: String, timestamp: Int64, body: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(messageId).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }
}
