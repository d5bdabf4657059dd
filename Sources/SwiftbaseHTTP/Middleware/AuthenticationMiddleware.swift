public import Hummingbird
public import SwiftbaseCore

/// Decides who is asking from the `Authorization` header: a record token (`<token>` or `Bearer <token>`),
/// or an API key (`sbk_…`, same two forms). An invalid, expired or revoked credential makes the request a
/// guest, never a 401, as PocketBase treats tokens: endpoints that require an identity say so themselves.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let auth: AuthService
    let apiKeys: APIKeyService

    public init(auth: AuthService, apiKeys: APIKeyService) {
        self.auth = auth
        self.apiKeys = apiKeys
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], !header.isEmpty {
            let credential = AuthService.credential(fromAuthorizationHeader: header)
            if credential.hasPrefix(APIKeyService.keyPrefix) {
                if let grant = await apiKeys.authenticate(key: credential, clientIP: context.remoteIP) {
                    context.auth = AuthContext(.apiKey(grant))
                }
            } else if !credential.isEmpty {
                context.auth = await auth.authenticate(token: credential)
            }
        }
        return try await next(request, context)
    }
}
