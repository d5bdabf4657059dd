import HTTPTypes
import Hummingbird
import SwiftbaseCore

/// `GET /api/health` — the one response that says `code` instead of `status`, as PocketBase's does.
struct HealthRoutes {
    let settings: SettingsService

    /// Common proxy headers, tried after the configured ones (PocketBase 0.40.6's list).
    static let commonProxyHeaders = ["CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For"]

    /// PocketBase's loose hint that the server sits behind a proxy (its dashboard reminds superusers to set
    /// `trustedProxy`): the first of the configured and common proxy headers the request carries, or "".
    func possibleProxyHeader(_ request: Request, trusted: TrustedProxy) -> String {
        for header in trusted.headers + Self.commonProxyHeaders {
            if let name = HTTPField.Name(header), let value = request.headers[name], !value.isEmpty { return header }
        }
        return ""
    }

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/health") { request, context -> Response in
            var data: [String: JSONValue] = [:]
            if context.auth.isSuperuser {
                data["canBackup"] = true
                data["realIP"] = .string(context.clientIP)
                data["possibleProxyHeader"] = .string(possibleProxyHeader(request, trusted: settings.trustedProxy))
            }
            return JSONResponse.make(["message": "API is healthy.", "code": 200, "data": .object(data)])
        }
        router.head("/api/health") { _, _ in Response(status: .ok) }
    }
}
