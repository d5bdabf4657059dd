/// The kinds of token an auth collection signs. Each has its own lifetime and secret in the collection's
/// options; the signing key is the record's `tokenKey` followed by that secret, so rotating either one
/// invalidates every token of that kind.
public enum AuthTokenKind: String, Sendable, CaseIterable {
    case auth
    case file
    case verification
    case passwordReset
    case emailChange

    /// The collection option key holding `{duration, secret}` for this kind.
    var optionKey: String { rawValue + "Token" }
}

extension AuthCollectionOptions {
    /// Token kinds whose `{duration, secret}` live in `extra` (auth and file tokens are typed properties).
    static let extraTokenKinds: [AuthTokenKind] = [.verification, .passwordReset, .emailChange]

    /// The signing secret of a token kind; empty only for a collection saved before the kind existed.
    public func secret(for kind: AuthTokenKind) -> String {
        switch kind {
        case .auth: authTokenSecret
        case .file: fileTokenSecret
        default: extra[kind.optionKey]?["secret"]?.stringValue ?? ""
        }
    }

    /// Seconds a token of this kind lives (PocketBase's defaults when unset).
    public func duration(for kind: AuthTokenKind) -> Int {
        switch kind {
        case .auth: return authTokenDuration
        case .file: return fileTokenDuration
        default:
            let fallback = kind == .verification ? 86_400 : 1_800
            return (extra[kind.optionKey]?["duration"]?.doubleValue).map { Int(saturating: $0) } ?? fallback
        }
    }

    mutating func setSecret(_ secret: String, for kind: AuthTokenKind) {
        switch kind {
        case .auth: authTokenSecret = secret
        case .file: fileTokenSecret = secret
        default:
            var object = extra[kind.optionKey]?.objectValue ?? ["duration": .number(Double(duration(for: kind)))]
            object["secret"] = .string(secret)
            extra[kind.optionKey] = .object(object)
        }
    }

    /// Gives every token kind without a secret a fresh one.
    mutating func fillMissingSecrets() {
        for kind in AuthTokenKind.allCases where secret(for: kind).isEmpty {
            setSecret(SystemCollections.newSecret(), for: kind)
        }
    }

    /// Secrets are write-only: an update keeps the stored secret of each kind unless the body sent a new one.
    mutating func keepSecrets(of old: AuthCollectionOptions, unlessSentIn body: [String: JSONValue]) {
        for kind in AuthTokenKind.allCases {
            let sent = body[kind.optionKey]?["secret"]?.stringValue ?? ""
            if sent.isEmpty { setSecret(old.secret(for: kind), for: kind) }
        }
    }
}

extension AuthCollectionOptions {
    /// What `_superusers` always keeps, whatever an update asks: password login on, no OAuth2 (a sign-in must
    /// never create a superuser), and OTP only as a second factor — enabling OTP enables MFA.
    mutating func enforceSuperuserPolicy() {
        passwordAuthEnabled = true
        if case .object(var oauth2)? = extra["oauth2"] {
            oauth2["enabled"] = false
            oauth2["providers"] = []
            extra["oauth2"] = .object(oauth2)
        }
        if extra["otp"]?["enabled"]?.boolValue == true, case .object(var mfa)? = extra["mfa"] {
            mfa["enabled"] = true
            extra["mfa"] = .object(mfa)
        }
    }
}
