public import Hummingbird
public import SwiftbaseCore

/// Decides who is asking from the `Authorization` header: a record token (`<token>` or `Bearer <token>`),
/// or an API key (`sbk_…`, same two forms). An invalid, expired or revoked credential makes the request a
/// guest, never a 401, as PocketBase treats tokens: endpoints that require an identity say so themselves.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let auth: AuthService
    let apiKeys: APIKeyService
    let audit: AuditLog?

    public init(auth: AuthService, apiKeys: APIKeyService, audit: AuditLog? = nil) {
        self.auth = auth
        self.apiKeys = apiKeys
        self.audit = audit
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], !header.isEmpty {
            context.auth = await identity(authorization: header, clientIP: context.remoteIP)
        }
        return try await next(request, context)
    }

    /// The identity of an `Authorization` value (a record token or an API key, bare or after `Bearer `);
    /// a guest when it is empty or not valid. Also used where a credential arrives otherwise (WebSocket).
    public func identity(authorization: String, clientIP: String) async -> AuthContext {
        let credential = AuthService.credential(fromAuthorizationHeader: authorization)
        if credential.hasPrefix(APIKeyService.keyPrefix) {
            guard let grant = await apiKeys.authenticate(key: credential, clientIP: clientIP) else { return .guest }
            await auditUse(of: grant, ip: clientIP)
            return AuthContext(.apiKey(grant))
        }
        return credential.isEmpty ? .guest : await auth.authenticate(token: credential)
    }

    /// Once a minute per key is enough to answer "was this key used, and from where" without one audit row
    /// per request. Stored before the request goes on, as the error middleware stores the events recorded
    /// inside it (this one is recorded before the request reaches it).
    private func auditUse(of grant: APIKeyGrant, ip: String) async {
        guard let audit,
            let number = audit.record(
                AuditEvent(event: "apikey.use", actor: "apikey:" + grant.id, ip: ip, target: grant.id),
                atMostEvery: 60, per: grant.id)
        else { return }
        await audit.waitUntilStored(through: number)
    }
}
