package import Foundation
import JWTKit

/// Sign in with Apple's client secret, made as PocketBase's `POST /api/settings/apple/generate-client-secret`
/// makes it (the dashboard's "Generate secret" for the Apple provider; the JS SDK's
/// `pb.settings.generateAppleClientSecret`): an ES256 JWT signed with the developer's "Sign in with Apple" key,
/// `kid` = the key's id, issued by the team for the app's Service ID, for `duration` seconds (at most 15,777,000,
/// about six months, Apple's limit). See Apple's "Creating a client secret".
package struct AppleClientSecret: Sendable {
    package var clientId: String
    package var teamId: String
    package var keyId: String
    /// The key's PKCS #8 PEM, as Apple hands it out (`-----BEGIN PRIVATE KEY----- …`).
    package var privateKey: String
    package var duration: Int

    /// Apple refuses secrets valid for longer.
    package static let maximumDuration = 15_777_000

    /// Reads the request body; a `duration` that is not a whole number is a body that does not load, as in
    /// PocketBase.
    package init(body: [String: JSONValue]) throws(SwiftbaseError) {
        func text(_ key: String) throws(SwiftbaseError) -> String {
            switch body[key] {
            case nil, .null?: return ""
            case .string(let s)?: return s
            default: throw Self.unreadable
            }
        }
        clientId = try text("clientId")
        teamId = try text("teamId")
        keyId = try text("keyId")
        privateKey = try text("privateKey")
        switch body["duration"] {
        case nil, .null?: duration = 0
        case .number(let d)? where d.rounded() == d && abs(d) <= 1e15: duration = Int(d)
        default: throw Self.unreadable
        }
    }

    static let unreadable = SwiftbaseError.badRequest("An error occurred while loading the submitted data.")

    /// The field errors, each field's first failed rule (PocketBase's form: required, exact lengths, the PEM's
    /// armour, 1 ≤ duration ≤ 15,777,000).
    package var fieldErrors: [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if clientId.isEmpty { errors["clientId"] = .required }
        for (name, value) in [("teamId", teamId), ("keyId", keyId)] {
            if value.isEmpty {
                errors[name] = .required
            } else if value.unicodeScalars.count != 10 {
                errors[name] = ErrorItem("validation_length_invalid", "The length must be exactly 10.", params: ["max": 10, "min": 10])
            }
        }
        if privateKey.isEmpty {
            errors["privateKey"] = .required
        } else if !Self.hasPEMArmour(privateKey) {
            errors["privateKey"] = .matchInvalid
        }
        if duration == 0 {
            errors["duration"] = .required
        } else if duration < 1 {
            errors["duration"] = .noLessThan(1)
        } else if duration > Self.maximumDuration {
            errors["duration"] = .noGreaterThan(Double(Self.maximumDuration))
        }
        return errors
    }

    /// The signed secret; throws a validation error (400 "Invalid client secret data.") for bad fields, and a
    /// 400 naming the cause when the key does not parse as a P-256 private key.
    package func generate(now: Date) async throws(SwiftbaseError) -> String {
        let errors = fieldErrors
        guard errors.isEmpty else { throw .validation("Invalid client secret data.", .items(errors)) }
        let key: ES256PrivateKey
        do {
            key = try ES256PrivateKey(pem: privateKey.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw Self.failed(error)
        }
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(iss: teamId, sub: clientId, aud: "https://appleid.apple.com", iat: issued, exp: issued + duration)
        do {
            let keys = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: keyId))
            return try await keys.sign(claims, kid: JWKIdentifier(string: keyId))
        } catch {
            throw Self.failed(error)
        }
    }

    /// PocketBase's message, a sentence as its error messages are.
    static func failed(_ error: any Error) -> SwiftbaseError {
        let raw = "\(error)"
        return .badRequest("Failed to generate client secret. Raw error: \n" + raw + (raw.hasSuffix(".") ? "" : "."))
    }

    /// PocketBase's check: the text holds `-----BEGIN PRIVATE KEY----` and, after it, `-----END PRIVATE KEY-----`.
    static func hasPEMArmour(_ text: String) -> Bool {
        guard let begin = text.range(of: "-----BEGIN PRIVATE KEY----") else { return false }
        return text[begin.upperBound...].contains("-----END PRIVATE KEY-----")
    }

    struct Claims: JWTPayload {
        var iss: String
        var sub: String
        var aud: String
        var iat: Int
        var exp: Int

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
