public import Hummingbird
import Logging
public import SwiftbaseCore

/// Decides who is asking from the `Authorization` header, through the core's `IdentityResolver`. A credential
/// that does not resolve makes the request a guest, never a 401, as PocketBase treats tokens: endpoints that
/// require an identity say so themselves.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let resolver: IdentityResolver

    public init(resolver: IdentityResolver) {
        self.resolver = resolver
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], !header.isEmpty {
            context.auth = await identity(credential: header, clientIP: context.clientIP, logger: context.logger)
            // (`clientIP` is read only for API keys: formatting the peer's address takes the channel's lock.)
        }
        return try await next(request, context)
    }

    /// The identity of a credential as HTTP requests and realtime connections take it: a guest when it is
    /// empty or does not resolve (why, at debug level; the credential itself is never logged).
    func identity(credential: String, clientIP: @autoclosure () -> String, logger: Logger) async -> AuthContext {
        do {
            return try await resolver.resolve(credential: credential, clientIP: clientIP())
        } catch {
            logger.debug("credential not accepted, acting as guest", metadata: ["sb.error": "\(error)"])
            return .guest
        }
    }
}
