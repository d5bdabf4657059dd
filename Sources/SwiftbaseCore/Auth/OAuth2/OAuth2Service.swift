import Foundation
public import Logging

/// OAuth2 sign-in as PocketBase 0.40.6 does it: the code is exchanged at the provider's token endpoint, the
/// provider account is read (an OpenID Connect id_token or userinfo answer, or the vendor's user API), and the
/// account is linked to an auth record in `_externalAuths` — an existing link, the requester's own record, a
/// record with the account's (verified) email, or a new record — see `OAuth2Service+Link.swift`.
public final class OAuth2Service: Sendable {
    public let records: RecordService
    public let auth: AuthService
    let transport: any OAuth2Transport
    let logger: Logger

    /// PocketBase's cap on a downloaded avatar (its default body limit).
    static let avatarLimit = 32 << 20

    public init(records: RecordService, auth: AuthService, transport: any OAuth2Transport, logger: Logger) {
        self.records = records
        self.auth = auth
        self.transport = transport
        self.logger = logger
    }

    /// What `auth-with-oauth2` submits.
    public struct SignIn: Sendable {
        public var provider: String
        public var code: String
        public var codeVerifier: String
        public var redirectURL: String
        public var createData: [String: JSONValue]

        public init(
            provider: String, code: String, codeVerifier: String, redirectURL: String,
            createData: [String: JSONValue]
        ) {
            self.provider = provider
            self.code = code
            self.codeVerifier = codeVerifier
            self.redirectURL = redirectURL
            self.createData = createData
        }
    }

    /// Signs in with `form` for `request` (whose identity, if of this collection, is the record to link when
    /// no link exists yet). Returns the record and the `meta` to answer.
    public func signIn(_ form: SignIn, collection: CollectionModel, request: RequestInfo) async throws
        -> (record: RecordModel, meta: JSONValue)
    {
        let options = OAuth2Options(collection)
        guard options.enabled else {
            throw SwiftbaseError.forbidden("The collection is not configured to allow OAuth2 authentication.")
        }
        var problems: [String: ErrorItem] = [:]
        if form.provider.isEmpty {
            problems["provider"] = .required
        } else if form.provider.count > 100 {
            problems["provider"] = .lengthOutOfRange(min: 0, max: 100)
        } else if options.provider(named: form.provider) == nil {
            problems["provider"] = ErrorItem(
                "validation_invalid_provider", "Provider with name \(form.provider) is missing or is not enabled.",
                params: ["name": .string(form.provider)])
        }
        if form.code.isEmpty { problems["code"] = .required }
        guard problems.isEmpty else {
            throw SwiftbaseError.validation("An error occurred while loading the submitted data.", .items(problems))
        }
        guard let provider = options.provider(named: form.provider)?.resolved() else {
            throw SwiftbaseError(.internalError, "Missing or invalid provider config.")
        }
        let token: OAuth2TokenResponse
        do {
            token = try await fetchToken(provider, code: form.code, verifier: form.codeVerifier, redirectURL: form.redirectURL)
        } catch {
            logger.debug("OAuth2 token exchange failed", metadata: ["sb.provider": "\(provider.name)", "sb.error": "\(error)"])
            throw SwiftbaseError.badRequest("Failed to fetch OAuth2 token.")
        }
        let user: OAuth2User
        do {
            user = try await fetchUser(provider, token: token)
        } catch {
            logger.debug("OAuth2 user fetch failed", metadata: ["sb.provider": "\(provider.name)", "sb.error": "\(error)"])
            throw SwiftbaseError.badRequest("Failed to fetch OAuth2 user.")
        }
        return try await link(user, provider: provider.name, options: options, collection: collection, form: form, request: request)
    }

    // MARK: - Exchange

    /// The authorization-code exchange, as Go's oauth2 package sends it: client credentials first in an HTTP
    /// Basic header, then — if the provider refuses that — in the form.
    func fetchToken(_ provider: OAuth2Provider, code: String, verifier: String, redirectURL: String) async throws
        -> OAuth2TokenResponse
    {
        guard !provider.tokenURL.isEmpty else { throw OAuth2ExchangeError("the provider has no token URL") }
        var form = [("grant_type", "authorization_code"), ("code", code)]
        if !redirectURL.isEmpty { form.append(("redirect_uri", redirectURL)) }
        if provider.pkce { form.append(("code_verifier", verifier)) }
        let basic = (OAuth2AuthorizationURL.escape(provider.clientId), OAuth2AuthorizationURL.escape(provider.clientSecret))
        var response = try await transport.postForm(provider.tokenURL, form: form, basicAuth: basic)
        if !(200..<300).contains(response.status) {
            var inParams = form + [("client_id", provider.clientId)]
            if !provider.clientSecret.isEmpty { inParams.append(("client_secret", provider.clientSecret)) }
            response = try await transport.postForm(provider.tokenURL, form: inParams, basicAuth: nil)
        }
        guard (200..<300).contains(response.status) else {
            throw OAuth2ExchangeError("the token endpoint answered \(response.status)")
        }
        return try OAuth2TokenResponse(response, now: Date())
    }

    /// The provider account: for OpenID Connect providers from the userinfo endpoint when one is configured,
    /// otherwise from the validated id_token; for the others from their user API.
    func fetchUser(_ provider: OAuth2Provider, token: OAuth2TokenResponse) async throws -> OAuth2User {
        if provider.info.kind == .openIDConnect, provider.userInfoURL.isEmpty {
            let claims = try await OIDCIDToken.validate(token.idToken, provider: provider, transport: transport, now: Date())
            return OAuth2User(claims: claims, token: token)
        }
        guard !provider.userInfoURL.isEmpty else { throw OAuth2ExchangeError("the provider has no userinfo URL") }
        let response = try await transport.get(provider.userInfoURL, authorization: token.authorization)
        guard response.status < 400 else { throw OAuth2ExchangeError("userinfo answered \(response.status)") }
        guard var claims = (try? JSONValue.parse(Data(response.body)))?.objectValue else {
            throw OAuth2ExchangeError("userinfo is not a JSON object")
        }
        // Vendor APIs that wrap the user (`{"data": {…}}` or `{"data": [{…}]}`).
        if provider.info.kind == .vendorAPI, claims["id"] == nil {
            if let inner = claims["data"]?.objectValue ?? claims["data"]?.arrayValue?.first?.objectValue {
                claims = inner
            }
        }
        return OAuth2User(claims: claims, token: token)
    }
}
