import Hummingbird
import SwiftbaseCore

/// `/api/logs` — PocketBase's request logs API for superusers, as its SDKs' `pb.logs` call it:
/// `GET /api/logs` (list envelope; `filter`, `sort`, `page`, `perPage`, `skipTotal`, `fields` over `id`,
/// `created`, `level`, `message`, `data`, `data.*`), `GET /api/logs/stats?filter=` (`[{"date", "total"}]`
/// per hour), `GET /api/logs/{id}` and `DELETE /api/logs` (every entry deleted and `auxiliary.db` compacted; 204).
struct LogRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let logs = services.logs
        router.get("/api/logs") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let query = request.query
            let page = try await logs.list(
                RecordListOptions(
                    page: try query.integer("page", default: 1), perPage: try query.integer("perPage", default: 30),
                    skipTotal: try query.bool("skipTotal"), sort: query["sort"] ?? "", filter: query["filter"] ?? ""))
            return try JSONResponse.list(
                page: page.page, perPage: page.perPage, totalItems: page.totalItems, totalPages: page.totalPages,
                items: page.items.map(\.json), query: query)
        }
        router.delete("/api/logs") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            try await logs.truncate()
            context.audit(services, "logs.truncate", target: "")
            return Response(status: .noContent)
        }
        router.get("/api/logs/stats") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let stats = try await logs.hourlyStats(filter: request.query["filter"] ?? "")
            return JSONResponse.make(.array(stats.map(\.json)))
        }
        router.get("/api/logs/:id") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let id = context.parameters.get("id") ?? ""
            guard !id.isEmpty, let entry = try await logs.entry(id: id) else { throw SwiftbaseError.notFound() }
            return JSONResponse.make(entry.json)
        }
    }
}
