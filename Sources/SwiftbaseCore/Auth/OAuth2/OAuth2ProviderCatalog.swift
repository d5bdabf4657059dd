/// One OAuth2 provider PocketBase 0.40.6 knows by name, with the defaults a collection's provider config
/// overrides: what `GET /api/collections/meta/oauth2-providers` lists and `auth-methods` builds URLs from.
public struct OAuth2ProviderInfo: Sendable {
    public let name: String
    public let displayName: String
    /// Position in PocketBase's lists (ties sorted by name).
    public let order: Int
    public let pkce: Bool
    public let scopes: [String]
    public let authURL: String
    public let tokenURL: String
    public let userInfoURL: String
    /// Default `extra` options (an id_token provider's `jwksURL`, `issuers`).
    public let extra: [String: JSONValue]
    /// Fixed parameters of the authorization URL (Apple's `response_mode=form_post`).
    public let authParameters: [(String, String)]
    /// How the user is read: from the id_token / userinfo claims as OpenID Connect names them, or from a
    /// vendor API read with common key names (`id`, `login`, `avatar_url`…; untested against the vendors).
    public let kind: Kind

    public enum Kind: Sendable, Equatable { case openIDConnect, vendorAPI }

    init(
        _ name: String, _ displayName: String, order: Int, pkce: Bool = true, scopes: [String] = [],
        auth: String = "", token: String = "", userInfo: String = "", extra: [String: JSONValue] = [:],
        authParameters: [(String, String)] = [], kind: Kind = .vendorAPI
    ) {
        self.name = name
        self.displayName = displayName
        self.order = order
        self.pkce = pkce
        self.scopes = scopes
        self.authURL = auth
        self.tokenURL = token
        self.userInfoURL = userInfo
        self.extra = extra
        self.authParameters = authParameters
        self.kind = kind
    }
}

/// The 32 providers of PocketBase 0.40.6 as data: names, display names, list order, PKCE defaults, scopes and
/// endpoint URLs (facts read from its provider list; the form is ours). Logos are not carried: the list
/// answers an empty `logo`.
public enum OAuth2ProviderCatalog {
    public static func info(named name: String) -> OAuth2ProviderInfo? { byName[name] }

    /// Every provider in PocketBase's list order.
    public static let all: [OAuth2ProviderInfo] = providers.sorted { ($0.order, $0.name) < ($1.order, $1.name) }

    private static let byName = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })

    private static let oidcScopes = ["openid", "email", "profile"]

    private static let providers: [OAuth2ProviderInfo] = [
        .init(
            "apple", "Apple", order: 1, scopes: ["name", "email"], auth: "https://appleid.apple.com/auth/authorize",
            token: "https://appleid.apple.com/auth/token",
            extra: ["jwksURL": "https://appleid.apple.com/auth/keys", "issuers": ["https://appleid.apple.com"]],
            authParameters: [("response_mode", "form_post")], kind: .openIDConnect),
        .init(
            "google", "Google", order: 2,
            scopes: [
                "https://www.googleapis.com/auth/userinfo.profile", "https://www.googleapis.com/auth/userinfo.email",
            ],
            auth: "https://accounts.google.com/o/oauth2/v2/auth", token: "https://oauth2.googleapis.com/token",
            userInfo: "https://www.googleapis.com/oauth2/v3/userinfo", kind: .openIDConnect),
        .init(
            "microsoft", "Microsoft", order: 3, scopes: ["User.Read"],
            auth: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            token: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            userInfo: "https://graph.microsoft.com/v1.0/me"),
        .init(
            "yandex", "Yandex", order: 4, scopes: ["login:email", "login:avatar", "login:info"],
            auth: "https://oauth.yandex.com/authorize", token: "https://oauth.yandex.com/token",
            userInfo: "https://login.yandex.ru/info"),
        .init(
            "facebook", "Facebook", order: 5, scopes: ["email"], auth: "https://www.facebook.com/v3.2/dialog/oauth",
            token: "https://graph.facebook.com/v3.2/oauth/access_token",
            userInfo: "https://graph.facebook.com/me?fields=name,email,picture.type(large)"),
        .init(
            "instagram2", "Instagram", order: 6, scopes: ["instagram_business_basic"],
            auth: "https://www.instagram.com/oauth/authorize", token: "https://api.instagram.com/oauth/access_token",
            userInfo:
                "https://graph.instagram.com/me?fields=id,username,account_type,user_id,name,profile_picture_url,followers_count,follows_count,media_count"
        ),
        .init(
            "github", "GitHub", order: 7, scopes: ["read:user", "user:email"],
            auth: "https://github.com/login/oauth/authorize", token: "https://github.com/login/oauth/access_token",
            userInfo: "https://api.github.com/user"),
        .init(
            "gitlab", "GitLab", order: 8, scopes: ["read_user"], auth: "https://gitlab.com/oauth/authorize",
            token: "https://gitlab.com/oauth/token", userInfo: "https://gitlab.com/api/v4/user"),
        .init(
            "bitbucket", "Bitbucket", order: 9, pkce: false, scopes: ["account"],
            auth: "https://bitbucket.org/site/oauth2/authorize", token: "https://bitbucket.org/site/oauth2/access_token",
            userInfo: "https://api.bitbucket.org/2.0/user"),
        .init(
            "gitee", "Gitee", order: 10, scopes: ["user_info", "emails"], auth: "https://gitee.com/oauth/authorize",
            token: "https://gitee.com/oauth/token", userInfo: "https://gitee.com/api/v5/user"),
        .init(
            "gitea", "Gitea/Forgejo", order: 11, scopes: ["read:user", "user:email"],
            auth: "https://gitea.com/login/oauth/authorize", token: "https://gitea.com/login/oauth/access_token",
            userInfo: "https://gitea.com/api/v1/user"),
        .init(
            "discord", "Discord", order: 12, scopes: ["identify", "email"],
            auth: "https://discord.com/api/oauth2/authorize", token: "https://discord.com/api/oauth2/token",
            userInfo: "https://discord.com/api/users/@me"),
        .init(
            "twitter", "X/Twitter", order: 13, scopes: ["users.read", "users.email", "tweet.read"],
            auth: "https://x.com/i/oauth2/authorize", token: "https://api.x.com/2/oauth2/token",
            userInfo: "https://api.x.com/2/users/me?user.fields=id,name,username,profile_image_url,confirmed_email"),
        .init(
            "kakao", "Kakao", order: 14, scopes: ["account_email", "profile_nickname", "profile_image"],
            auth: "https://kauth.kakao.com/oauth/authorize", token: "https://kauth.kakao.com/oauth/token",
            userInfo: "https://kapi.kakao.com/v2/user/me"),
        .init(
            "vk", "ВКонтакте", order: 15, pkce: false, scopes: ["email"], auth: "https://oauth.vk.com/authorize",
            token: "https://oauth.vk.com/access_token",
            userInfo: "https://api.vk.com/method/users.get?fields=photo_max,screen_name&v=5.131"),
        .init(
            "linear", "Linear", order: 16, pkce: false, scopes: ["read"], auth: "https://linear.app/oauth/authorize",
            token: "https://api.linear.app/oauth/token", userInfo: "https://api.linear.app/graphql"),
        .init(
            "notion", "Notion", order: 17, auth: "https://api.notion.com/v1/oauth/authorize",
            token: "https://api.notion.com/v1/oauth/token", userInfo: "https://api.notion.com/v1/users/me"),
        .init(
            "monday", "monday.com", order: 18, scopes: ["me:read"], auth: "https://auth.monday.com/oauth2/authorize",
            token: "https://auth.monday.com/oauth2/token", userInfo: "https://api.monday.com/v2"),
        .init(
            "lark", "Lark", order: 19, auth: "https://accounts.feishu.cn/open-apis/authen/v1/authorize",
            token: "https://open.feishu.cn/open-apis/authen/v2/oauth/token",
            userInfo: "https://open.feishu.cn/open-apis/authen/v1/user_info"),
        .init(
            "box", "Box", order: 20, scopes: ["root_readonly"], auth: "https://account.box.com/api/oauth2/authorize",
            token: "https://api.box.com/oauth2/token", userInfo: "https://api.box.com/2.0/users/me"),
        .init(
            "spotify", "Spotify", order: 21, scopes: ["user-read-private"], auth: "https://accounts.spotify.com/authorize",
            token: "https://accounts.spotify.com/api/token", userInfo: "https://api.spotify.com/v1/me"),
        .init(
            "trakt", "Trakt", order: 22, auth: "https://trakt.tv/oauth/authorize", token: "https://api.trakt.tv/oauth/token",
            userInfo: "https://api.trakt.tv/users/settings"),
        .init(
            "twitch", "Twitch", order: 23, scopes: ["user:read:email"], auth: "https://id.twitch.tv/oauth2/authorize",
            token: "https://id.twitch.tv/oauth2/token", userInfo: "https://api.twitch.tv/helix/users"),
        .init(
            "patreon", "Patreon", order: 24, scopes: ["identity", "identity[email]"],
            auth: "https://www.patreon.com/oauth2/authorize", token: "https://www.patreon.com/api/oauth2/token",
            userInfo:
                "https://www.patreon.com/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified"
        ),
        .init(
            "strava", "Strava", order: 25, scopes: ["profile:read_all"], auth: "https://www.strava.com/oauth/authorize",
            token: "https://www.strava.com/api/v3/oauth/token", userInfo: "https://www.strava.com/api/v3/athlete"),
        .init(
            "wakatime", "WakaTime", order: 26, scopes: ["email"], auth: "https://wakatime.com/oauth/authorize",
            token: "https://wakatime.com/oauth/token", userInfo: "https://wakatime.com/api/v1/users/current"),
        .init(
            "livechat", "LiveChat", order: 27, auth: "https://accounts.livechat.com/",
            token: "https://accounts.livechat.com/token", userInfo: "https://accounts.livechat.com/v2/accounts/me"),
        .init("mailcow", "mailcow", order: 28, scopes: ["profile"]),
        .init(
            "planningcenter", "Planning Center", order: 29, scopes: ["people"],
            auth: "https://api.planningcenteronline.com/oauth/authorize",
            token: "https://api.planningcenteronline.com/oauth/token",
            userInfo: "https://api.planningcenteronline.com/people/v2/me"),
        .init("oidc", "OIDC", order: 99, scopes: oidcScopes, kind: .openIDConnect),
        .init("oidc2", "OIDC", order: 99, scopes: oidcScopes, kind: .openIDConnect),
        .init("oidc3", "OIDC", order: 99, scopes: oidcScopes, kind: .openIDConnect),
    ]
}
