/// Who is making a request, decided once per request by the transport from a token, API key or nothing.
/// Every access decision reads it; nothing is trusted for where it came from.
public struct AuthContext: Sendable, Equatable {
    public enum Identity: Sendable, Equatable {
        case guest
        /// A record of the `_superusers` collection: bypasses every rule.
        case superuser(RecordModel)
        /// A record of any other auth collection.
        case record(RecordModel)
        /// A valid API key (`sbk_…`): may act only within its scopes, see `acting(_:on:)`.
        case apiKey(APIKeyGrant)
    }

    public var identity: Identity
    /// The token the identity came from, when it came from one.
    public var token: String?
    /// Whether that token may be exchanged for a new one (impersonation tokens may not).
    public var refreshable: Bool
    /// The API key this request acts for, kept while it acts with superuser reach inside the key's scopes.
    public var apiKey: APIKeyGrant?

    public init(_ identity: Identity, token: String? = nil, refreshable: Bool = true) {
        self.identity = identity
        self.token = token
        self.refreshable = refreshable
    }

    public static let guest = AuthContext(.guest)

    public var isSuperuser: Bool {
        if case .superuser = identity { return true }
        return false
    }

    /// Anyone but a guest: a record, a superuser or an API key (PocketBase's `@auth` rate-limit audience).
    public var isAuthenticated: Bool {
        if case .guest = identity { return false }
        return true
    }

    /// The authenticated record, superuser or not.
    public var record: RecordModel? {
        switch identity {
        case .guest, .apiKey: nil
        case .superuser(let r), .record(let r): r
        }
    }
}

/// The request as rules see it (`@request.*`): who asks, what they sent, how.
public struct RequestInfo: Sendable {
    public var auth: AuthContext
    /// The submitted body after modifier resolution (`@request.body.*`).
    public var body: [String: JSONValue]
    /// Query parameters (`@request.query.*`), last value wins.
    public var query: [String: String]
    /// Headers with names lower-cased and `-` replaced by `_` (`@request.headers.x_token`).
    public var headers: [String: String]
    /// `GET`, `POST`, …
    public var method: String
    /// `default`, `expand`, `realtime`, `protectedFile`, `batch`, `oauth2`, `otp`, `password`.
    public var context: String

    public init(
        auth: AuthContext = .guest, body: [String: JSONValue] = [:], query: [String: String] = [:],
        headers: [String: String] = [:], method: String = "GET", context: String = "default"
    ) {
        self.auth = auth
        self.body = body
        self.query = query
        self.headers = headers
        self.method = method
        self.context = context
    }
}
