/// The signed-in provider account, normalized as PocketBase's `AuthUser`: answered as the `meta` of
/// `auth-with-oauth2` (with `isNew`). `email` is set only when the provider vouches for it.
public struct OAuth2User: Sendable {
    public var id = ""
    public var name = ""
    public var username = ""
    public var email = ""
    public var avatarURL = ""
    public var accessToken = ""
    public var refreshToken = ""
    /// The access token's expiry in PocketBase's date format, or "" when the provider gave none.
    public var expiry = ""
    public var rawUser: [String: JSONValue] = [:]

    /// The `meta` object, with the legacy `avatarUrl` beside `avatarURL` as PocketBase still sends it.
    func meta(isNew: Bool) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "username": .string(username), "email": .string(email),
            "avatarURL": .string(avatarURL), "avatarUrl": .string(avatarURL), "accessToken": .string(accessToken),
            "refreshToken": .string(refreshToken), "expiry": .string(expiry), "rawUser": .object(rawUser),
            "isNew": .bool(isNew),
        ]
    }

    /// Reads a user from OpenID Connect claims (an id_token's or a userinfo answer): `sub`, `name`,
    /// `preferred_username`, `picture`, and `email` only when `email_verified` is true (bool, "true", 1…).
    /// Vendor APIs are read with their common key names as well (`id`, `login`, `avatar_url`).
    init(claims: [String: JSONValue], token: OAuth2TokenResponse) {
        func text(_ keys: String...) -> String {
            for key in keys {
                switch claims[key] {
                case .string(let s)? where !s.isEmpty: return s
                case .number(let n)?: return JSONValue.number(n).jsonString
                default: continue
                }
            }
            return ""
        }
        id = text("sub", "id")
        name = text("name")
        username = text("preferred_username", "login", "username")
        avatarURL = text("picture", "avatar_url")
        if Self.truthy(claims["email_verified"]) { email = text("email") }
        accessToken = token.accessToken
        refreshToken = token.refreshToken
        expiry = token.expiry
        rawUser = claims
    }

    /// Go's `cast.ToBool`, which PocketBase applies to `email_verified`.
    static func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let b)?: return b
        case .number(let n)?: return n != 0
        case .string(let s)?: return ["1", "t", "T", "TRUE", "true", "True"].contains(s)
        default: return false
        }
    }
}
