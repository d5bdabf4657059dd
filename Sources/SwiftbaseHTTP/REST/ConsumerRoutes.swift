import Foundation
import Hummingbird
import NIOCore
import Prometheus
import SwiftbaseCore

/// Named consumers of the change log, for superusers (see `ConsumerService`):
/// `POST /api/consumers {"name","collections","filter","after"}`, `GET /api/consumers[/{name}]` (with `lag`),
/// `DELETE /api/consumers/{name}`, `GET /api/consumers/{name}/poll?max=100&wait=20` (long-poll, answers
/// `{"items","next"}`), `POST /api/consumers/{name}/commit {"seq"}`.
struct ConsumerRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/consumers")
        group.post { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic).values
            let collections: [String]
            switch body["collections"] {
            case nil, .null?: collections = []
            case .array(let items)?:
                collections = try items.map { item in
                    guard let name = item.stringValue else { throw SwiftbaseError.badRequest() }
                    return name
                }
            default: throw SwiftbaseError.badRequest()
            }
            let after: Int64?
            switch body["after"] {
            case nil, .null?: after = nil
            case .number(let n)? where n.rounded() == n && n.magnitude < 9e15: after = Int64(n)
            default: throw SwiftbaseError.badRequest()
            }
            let consumer = try await services.consumers.create(
                name: body["name"]?.stringValue ?? "", collections: collections, filter: body["filter"]?.stringValue ?? "",
                after: after)
            return JSONResponse.make(consumer.json(schema: services.schema.snapshot))
        }
        group.get { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let schema = services.schema.snapshot
            let items = try await services.consumers.list().map { $0.json(schema: schema) }
            return JSONResponse.make(["items": .array(items)])
        }
        group.get("{name}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let consumer = try await services.consumers.info(try context.parameters.require("name"))
            return JSONResponse.make(consumer.json(schema: services.schema.snapshot))
        }
        group.delete("{name}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let name = try context.parameters.require("name")
            try await services.consumers.delete(name)
            // Its lag gauge goes with it.
            services.metrics.unregisterGauge(
                services.metrics.makeGauge(descriptor: MetricsRoutes.consumerLag, labels: [("consumer", name)]))
            return JSONResponse.noContent
        }
        group.get("{name}/poll") { request, context -> Response in
            try CollectionRoutes.requireSuperuser(context)
            let query = request.query
            let max = try query.integer("max", default: 100)
            guard (1...ConsumerService.maxPoll).contains(max) else {
                throw SwiftbaseError.badRequest("max must be between 1 and \(ConsumerService.maxPoll).")
            }
            let waitText = query["wait"] ?? "0"
            guard let wait = Double(waitText), wait >= 0, wait <= Double(ConsumerService.maxWait) else {
                throw SwiftbaseError.badRequest("wait must be between 0 and \(ConsumerService.maxWait) seconds.")
            }
            let page = try await services.consumers.poll(
                try context.parameters.require("name"), max: max, wait: .milliseconds(Int(wait * 1000)))
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: page.json)))
        }
        group.post("{name}/commit") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic).values
            guard case .number(let n)? = body["seq"], n.rounded() == n, n.magnitude < 9e15 else {
                throw SwiftbaseError.validation("Failed to commit.", .items(["seq": .required]))
            }
            let consumer = try await services.consumers.commit(try context.parameters.require("name"), seq: Int64(n))
            return JSONResponse.make(consumer.json(schema: services.schema.snapshot))
        }
    }
}
