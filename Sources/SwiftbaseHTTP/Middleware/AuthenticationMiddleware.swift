public import Hummingbird
public import SwiftbaseCore

/// Decides who is asking from the `Authorization` header. An invalid token makes the request a guest,
/// never a 401: endpoints that require an identity say so themselves.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let auth: AuthService

    public init(auth: AuthService) {
        self.auth = auth
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], !header.isEmpty {
            context.auth = await auth.authenticate(authorizationHeader: header)
        }
        return try await next(request, context)
    }
}
