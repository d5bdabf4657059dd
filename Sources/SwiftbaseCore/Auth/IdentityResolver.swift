import Foundation

/// Turns the credential a request presents into the identity it acts as: the one place every transport
/// authenticates through (REST, realtime over SSE and WebSocket, and GraphQL, MQTT or functions to come), so
/// none of them re-implements token or API-key checks.
///
/// A credential is a record token or a scoped API key (`sbk_…`), bare or after `Bearer ` (any case):
///
/// - no credential (nil, empty or blank) is a guest, not an error;
/// - an `sbk_` key becomes `.apiKey(grant)`, limited to its scopes; each use is audited as `apikey.use`, at
///   most once a minute per key, and stored before `resolve` returns;
/// - a token must be an *auth* token (file, verification, password-reset and email-change tokens are
///   refused). It becomes `.superuser(record)` for `_superusers` and `.record(record)` for any other auth
///   collection, with the record as stored now, the token kept, and `refreshable` false for impersonation
///   tokens;
/// - a credential that does not stand for an identity throws `CredentialError` saying why. What that means
///   is the transport's call: HTTP and realtime treat the requester as a guest, as PocketBase does.
///
/// ```swift
/// let resolver = IdentityResolver(auth: auth, apiKeys: apiKeys, audit: audit)
/// let requester = try await resolver.resolve(credential: "Bearer eyJhbGciOi…", clientIP: "203.0.113.7")
/// ```
///
/// Thread-safe: a value holding only `Sendable` services; resolving reads the store and, for API keys,
/// writes the audit log.
public struct IdentityResolver: Sendable {
    let auth: AuthService
    let apiKeys: APIKeyService
    let audit: AuditLog?

    /// `audit`: where API key use is recorded; nil records nothing (tests, tools).
    public init(auth: AuthService, apiKeys: APIKeyService, audit: AuditLog?) {
        self.auth = auth
        self.apiKeys = apiKeys
        self.audit = audit
    }

    /// The identity behind `credential`.
    ///
    /// - Parameters:
    ///   - credential: what the client presented: a token or `sbk_` key, bare or after `Bearer `; nil when it
    ///     presented nothing.
    ///   - clientIP: the peer's address as text, checked against an API key's allow-list and written to the
    ///     audit log; empty when the transport has none. Read only for API keys (a transport may have to
    ///     lock and format to tell it).
    /// - Throws: `CredentialError` for a credential that is not valid (see its codes), or the store's error
    ///   when the records or keys cannot be read.
    public func resolve(credential: String?, clientIP: @autoclosure () -> String) async throws -> AuthContext {
        let credential = Self.bareCredential(credential ?? "")
        if credential.isEmpty { return .guest }
        if credential.hasPrefix(APIKeyService.keyPrefix) {
            let ip = clientIP()
            let grant = try await apiKeys.grant(forKey: credential, clientIP: ip)
            await auditUse(of: grant, ip: ip)
            return AuthContext(.apiKey(grant))
        }
        let verified = try await auth.checkToken(credential, kind: .auth)
        var context = AuthService.context(for: verified.record, in: verified.collection)
        context.token = credential
        context.refreshable = verified.refreshable
        return context
    }

    /// The credential inside a presented value: the value trimmed, without a leading `Bearer ` (any case).
    public static func bareCredential(_ value: String) -> String {
        var credential = value.trimmingCharacters(in: .whitespaces)
        if credential.lowercased().hasPrefix("bearer ") {
            credential = String(credential.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return credential
    }

    /// Once a minute per key is enough to answer "was this key used, and from where" without one audit row
    /// per request. Stored before the identity is handed back, as the events a request records are stored
    /// before it is answered.
    private func auditUse(of grant: APIKeyGrant, ip: String) async {
        guard let audit,
            let number = audit.record(
                AuditEvent(event: "apikey.use", actor: "apikey:" + grant.id, ip: ip, target: grant.id),
                atMostEvery: 60, per: grant.id)
        else { return }
        await audit.waitUntilStored(through: number)
    }
}
