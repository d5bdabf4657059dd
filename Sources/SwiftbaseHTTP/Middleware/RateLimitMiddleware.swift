public import Hummingbird
import SwiftbaseCore

/// The rate limiter for every route but the collection routes (records and the auth endpoints), which
/// check it themselves once their collection is known — an unknown collection is a 404 that no rule counts,
/// and their counters are per collection. Labels tried: `METHOD /path`, then `/path`.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let limiter: RateLimiter

    public init(limiter: RateLimiter) {
        self.limiter = limiter
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if limiter.isEnabled, !Self.isCollectionRoute(path) {
            try limiter.check(
                labels: [request.method.rawValue + " " + path, path], auth: context.auth, clientIP: context.clientIP,
                limiterID: nil)
        }
        return try await next(request, context)
    }

    static let collectionActions: Set<Substring> = [
        "records", "auth-methods", "auth-refresh", "auth-with-password", "auth-with-oauth2", "request-otp",
        "auth-with-otp", "request-password-reset", "confirm-password-reset", "request-verification",
        "confirm-verification", "request-email-change", "confirm-email-change",
    ]

    /// `/api/collections/{c}/records[/{id}]` and `/api/collections/{c}/<auth endpoint>`.
    static func isCollectionRoute(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0].isEmpty, parts[1] == "api", parts[2] == "collections", !parts[3].isEmpty,
            collectionActions.contains(parts[4])
        else { return false }
        return parts.count == 5 || (parts.count == 6 && parts[4] == "records" && !parts[5].isEmpty)
    }
}

extension SwiftbaseRequestContext {
    /// Applies the rate limit of a collection route (PocketBase's per-route tags) for this request.
    func rateLimit(
        _ services: HTTPServices, _ collection: CollectionModel, _ request: Request, route: String, tags: [String]
    ) throws {
        try services.rateLimiter.checkCollectionRoute(
            collection: collection, route: request.method.rawValue + " " + route, tags: tags,
            method: request.method.rawValue, path: request.uri.path, auth: auth, clientIP: clientIP)
    }
}
