import Hummingbird
import Prometheus
import SwiftbaseCore

/// Webhooks, for superusers (see `WebhookService`): `POST /api/webhooks` (answers the `whsec_` secret once),
/// `GET /api/webhooks[/{id}]`, `PATCH`/`DELETE /api/webhooks/{id}`, `POST /api/webhooks/{id}/rotate-secret`,
/// `GET /api/webhooks/{id}/deliveries?status=&page=&perPage=`, `POST /api/webhooks/{id}/deliveries/{deliveryId}/retry`,
/// `POST /api/webhooks/{id}/test`. Changes to webhooks are audited.
struct WebhookRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/webhooks")
        group.post { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic).values
            let webhook = try await services.webhooks.create(body)
            context.audit(services, "webhook.create", target: webhook.id, details: ["name": .string(webhook.name), "url": .string(webhook.url)])
            return JSONResponse.make(webhook.json(schema: services.schema.snapshot, withSecret: true))
        }
        group.get { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let schema = services.schema.snapshot
            return JSONResponse.make(["items": .array(try await services.webhooks.list().map { $0.json(schema: schema) })])
        }
        group.get("{id}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let webhook = try await services.webhooks.get(try context.parameters.require("id"))
            return JSONResponse.make(webhook.json(schema: services.schema.snapshot))
        }
        group.patch("{id}") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic).values
            let webhook = try await services.webhooks.update(try context.parameters.require("id"), body)
            context.audit(services, "webhook.update", target: webhook.id, details: ["name": .string(webhook.name), "url": .string(webhook.url)])
            return JSONResponse.make(webhook.json(schema: services.schema.snapshot))
        }
        group.delete("{id}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let webhook = try await services.webhooks.get(try context.parameters.require("id"))
            try await services.webhooks.delete(webhook.id)
            // Its lag gauge goes with it.
            services.metrics.unregisterGauge(
                services.metrics.makeGauge(descriptor: MetricsRoutes.webhookLag, labels: [("webhook", webhook.name)]))
            context.audit(services, "webhook.delete", target: webhook.id, details: ["name": .string(webhook.name)])
            return JSONResponse.noContent
        }
        group.post("{id}/rotate-secret") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let webhook = try await services.webhooks.rotateSecret(try context.parameters.require("id"))
            context.audit(services, "webhook.rotate_secret", target: webhook.id)
            return JSONResponse.make(webhook.json(schema: services.schema.snapshot, withSecret: true))
        }
        group.get("{id}/deliveries") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let query = request.query
            let paging = Paging(page: try query.integer("page", default: 1), perPage: try query.integer("perPage", default: 30))
            var status: WebhookDelivery.Status?
            if let text = query["status"], !text.isEmpty {
                guard let parsed = WebhookDelivery.Status(rawValue: text) else {
                    throw SwiftbaseError.badRequest("status must be pending, succeeded or failed.")
                }
                status = parsed
            }
            let (items, total) = try await services.webhooks.deliveries(
                try context.parameters.require("id"), status: status, paging: paging)
            return JSONResponse.make([
                "page": .number(Double(paging.page)), "perPage": .number(Double(paging.perPage)),
                "totalItems": .number(Double(total)), "totalPages": .number(Double(paging.totalPages(of: total))),
                "items": .array(items.map(\.json)),
            ])
        }
        group.post("{id}/deliveries/{deliveryId}/retry") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let delivery = try await services.webhooks.retry(
                try context.parameters.require("id"), delivery: try context.parameters.require("deliveryId"))
            return JSONResponse.make(delivery.json)
        }
        group.post("{id}/test") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            return JSONResponse.make(try await services.webhooks.test(try context.parameters.require("id")).json)
        }
    }
}
