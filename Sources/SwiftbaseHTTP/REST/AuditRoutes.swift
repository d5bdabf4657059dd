import Hummingbird
import SwiftbaseCore

/// `GET /api/audit` — the audit log for superusers, newest first, in the list envelope
/// (`page`, `perPage`, `totalItems`, `totalPages`, `items`), optionally narrowed to one `event` or `actor`.
struct AuditRoutes {
    let services: CoreServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/audit") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let query = request.query
            let page = max(1, try query.integer("page", default: 1))
            let perPage = min(1000, max(1, try query.integer("perPage", default: 30)))
            let (items, total) = try await services.audit.list(
                page: page, perPage: perPage, event: query["event"], actor: query["actor"])
            return try JSONResponse.list(
                page: page, perPage: perPage, totalItems: total, totalPages: (total + perPage - 1) / perPage,
                items: items, query: query)
        }
    }
}

extension SwiftbaseRequestContext {
    /// Records an audit event for this request's requester and address.
    func audit(_ services: CoreServices, _ event: String, target: String, details: JSONValue = [:]) {
        services.audit.record(
            AuditEvent(event: event, actor: auth.auditActor, ip: remoteIP, target: target, details: details))
    }
}
