import Hummingbird
import SwiftbaseCore

/// `GET /api/health` — the one response that says `code` instead of `status`, as PocketBase's does.
struct HealthRoutes {
    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/health") { request, context -> Response in
            var data: [String: JSONValue] = [:]
            if context.auth.isSuperuser {
                data["canBackup"] = true
                data["realIP"] = .string(context.remoteIP)
                data["possibleProxyHeader"] = ""
            }
            return JSONResponse.make(["message": "API is healthy.", "code": 200, "data": .object(data)])
        }
        router.head("/api/health") { _, _ in Response(status: .ok) }
    }
}
