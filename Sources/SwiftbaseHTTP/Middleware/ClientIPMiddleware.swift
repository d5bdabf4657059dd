public import HTTPTypes
public import Hummingbird
public import SwiftbaseCore

/// Decides, once per request and before anything reads it, whether the client's address comes from the
/// `trustedProxy` headers (`SwiftbaseRequestContext.clientIP`); without the setting, nothing is read.
public struct ClientIPMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext

    let settings: SettingsService

    public init(settings: SettingsService) {
        self.settings = settings
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let proxy = settings.trustedProxy
        guard proxy.isConfigured else { return try await next(request, context) }
        var context = context
        context.forwardedIP = proxy.forwardedIP(in: request.headers)
        return try await next(request, context)
    }
}

extension TrustedProxy {
    /// The client address the configured headers of `fields` give, nil when none does (the client is the peer).
    /// Also for WebSocket upgrades, which are decided before the router's middleware.
    public func forwardedIP(in fields: HTTPFields) -> String? {
        guard isConfigured else { return nil }
        return forwardedIP { name in HTTPField.Name(name).map { fields[values: $0] } ?? [] }
    }
}
