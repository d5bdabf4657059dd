public import Hummingbird
public import SwiftbaseCore

/// PocketBase's superuser IP whitelist (`settings.superuserIPs`): a request made with a superuser's credential
/// from an address outside the list answers 403, whatever the route (an unknown one included); guests and
/// other identities pass. The address is `clientIP`, the trusted proxy's answer when one is configured.
/// Superuser logins are checked where the token is issued (`RecordAuthRoutes`), protected-file tokens where
/// they are read (`FileRoutes`, `BackupRoutes`).
public struct SuperuserIPsMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext
    let settings: SettingsService

    public init(settings: SettingsService) {
        self.settings = settings
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        if context.auth.isSuperuser, !settings.allowsSuperuser(from: context.clientIP) {
            throw SwiftbaseError.forbidden()
        }
        return try await next(request, context)
    }
}
