import Hummingbird
import SwiftbaseCore

/// `GET /api/audit` — the audit log for superusers, newest first, in the list envelope
/// (`page`, `perPage`, `totalItems`, `totalPages`, `items`), optionally narrowed to one `event` or `actor`.
struct AuditRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/audit") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let query = request.query
            let paging = Paging(
                page: try query.integer("page", default: 1), perPage: try query.integer("perPage", default: 30))
            let (items, total) = try await services.audit.list(paging, event: query["event"], actor: query["actor"])
            return try JSONResponse.list(
                page: paging.page, perPage: paging.perPage, totalItems: total, totalPages: paging.totalPages(of: total),
                items: items, query: query)
        }
    }
}

extension SwiftbaseRequestContext {
    /// Records an audit event for this request's requester and address.
    func audit(_ services: HTTPServices, _ event: String, target: String, details: JSONValue = [:]) {
        services.audit.record(
            AuditEvent(event: event, actor: auth.auditActor, ip: clientIP, target: target, details: details))
    }
}
