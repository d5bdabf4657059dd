/// A collection's `oauth2` options, read from the auth options Swiftbase keeps verbatim: `enabled`,
/// `mappedFields` (record fields the provider's `id`, `name`, `username` and `avatarURL` fill on sign-up) and
/// the configured `providers`.
public struct OAuth2Options: Sendable {
    public var enabled: Bool
    public var mappedFields: [String: String]
    public var providers: [OAuth2ProviderConfig]

    public init(_ collection: CollectionModel) {
        let raw = collection.auth?.extra["oauth2"]
        enabled = raw?["enabled"]?.boolValue ?? false
        mappedFields = (raw?["mappedFields"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        providers = (raw?["providers"]?.arrayValue ?? []).map(OAuth2ProviderConfig.init)
    }

    /// The first provider config named `name`, as PocketBase looks one up.
    public func provider(named name: String) -> OAuth2ProviderConfig? {
        providers.first { $0.name == name }
    }

    /// The record field a provider value maps to on sign-up (`id`, `name`, `username`, `avatarURL`), if any.
    func mappedField(_ key: String) -> String? {
        mappedFields[key].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// One entry of `oauth2.providers`: empty values leave the provider's defaults in place.
public struct OAuth2ProviderConfig: Sendable {
    public var name: String
    public var clientId: String
    public var clientSecret: String
    public var authURL: String
    public var tokenURL: String
    public var userInfoURL: String
    public var displayName: String
    /// Overrides the provider's PKCE default when set.
    public var pkce: Bool?
    public var extra: [String: JSONValue]

    init(_ raw: JSONValue) {
        func text(_ key: String) -> String { raw[key]?.stringValue ?? "" }
        name = text("name")
        clientId = text("clientId")
        clientSecret = text("clientSecret")
        authURL = text("authURL")
        tokenURL = text("tokenURL")
        userInfoURL = text("userInfoURL")
        displayName = text("displayName")
        pkce = raw["pkce"]?.boolValue
        extra = raw["extra"]?.objectValue ?? [:]
    }

    /// The provider with this config over its defaults, or nil for a name PocketBase does not know.
    public func resolved() -> OAuth2Provider? {
        guard let info = OAuth2ProviderCatalog.info(named: name) else { return nil }
        func pick(_ own: String, _ fallback: String) -> String { own.isEmpty ? fallback : own }
        return OAuth2Provider(
            info: info, clientId: clientId, clientSecret: clientSecret, authURL: pick(authURL, info.authURL),
            tokenURL: pick(tokenURL, info.tokenURL), userInfoURL: pick(userInfoURL, info.userInfoURL),
            displayName: pick(displayName, info.displayName), pkce: pkce ?? info.pkce,
            extra: extra.isEmpty ? info.extra : extra)
    }

    /// The entry as PocketBase shows it: every key present, `clientSecret` only when asked for (and set).
    static func normalized(_ raw: JSONValue, includingSecret: Bool) -> JSONValue {
        guard case .object(let object) = raw else { return raw }
        var shown: [String: JSONValue] = [
            "pkce": object["pkce"].flatMap { $0.boolValue.map(JSONValue.bool) } ?? .null,
            "extra": object["extra"].flatMap { $0.objectValue.map(JSONValue.object) } ?? .null,
        ]
        for key in ["name", "clientId", "authURL", "tokenURL", "userInfoURL", "displayName"] {
            shown[key] = .string(object[key]?.stringValue ?? "")
        }
        if includingSecret, let secret = object["clientSecret"]?.stringValue, !secret.isEmpty {
            shown["clientSecret"] = .string(secret)
        }
        return .object(shown)
    }
}

/// A provider ready for a sign-in: its defaults with the collection's config applied.
public struct OAuth2Provider: Sendable {
    public let info: OAuth2ProviderInfo
    public let clientId: String
    public let clientSecret: String
    public let authURL: String
    public let tokenURL: String
    public let userInfoURL: String
    public let displayName: String
    public let pkce: Bool
    public let extra: [String: JSONValue]

    public var name: String { info.name }
}
