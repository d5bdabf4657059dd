import Foundation
import Hummingbird
import SwiftbaseCore

/// `/api/crons` — PocketBase's cron API for superusers: the registered jobs as `[{"id", "expression"}]`
/// (the app's and functions' jobs by id, then PocketBase's `__pb…` system jobs), and `POST /api/crons/{id}`
/// to run one now, in the background (answered 204 at once, as PocketBase does).
struct CronRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let scheduler = services.scheduler
        router.get("/api/crons") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let jobs = Self.listed(scheduler.jobs).map { job -> JSONValue in
                ["id": .string(job.id), "expression": .string(job.expression)]
            }
            return JSONResponse.make(.array(jobs))
        }
        router.post("/api/crons/:id") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let id = context.parameters.get("id").map { $0.removingPercentEscapes() ?? $0 } ?? ""
            guard scheduler.start(id: id) else { throw SwiftbaseError.notFound("Missing or invalid cron job.") }
            context.audit(services, "cron.run", target: id)
            return JSONResponse.noContent
        }
    }

    /// PocketBase's order: jobs whose id starts with `__pb` last, the others before them by id (the
    /// scheduler lists by id, so a stable partition keeps both groups sorted).
    static func listed(_ jobs: [CronScheduler.Job]) -> [CronScheduler.Job] {
        jobs.filter { !$0.id.hasPrefix("__pb") } + jobs.filter { $0.id.hasPrefix("__pb") }
    }
}
