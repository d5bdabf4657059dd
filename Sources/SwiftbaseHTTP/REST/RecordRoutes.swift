import Hummingbird
import SwiftbaseCore

/// `/api/collections/{collection}/records…` — list, view, create, update, delete, each decided by the
/// collection's rule for the requester inside `RecordService`.
struct RecordRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/collections/:collection/records")
        group.get { request, context in
            let query = request.query
            let options = RecordListOptions(
                page: try query.integer("page", default: 1), perPage: try query.integer("perPage", default: 30),
                skipTotal: try query.bool("skipTotal"), sort: query["sort"] ?? "", filter: query["filter"] ?? "")
            let name = try Self.collectionName(context)
            let collection = try Self.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.listRoute, tags: ["list"])
            let info = request.requestInfo(auth: try context.auth.acting(.list, on: collection))
            let page = try await services.records.list(in: name, options: options, request: info)
            let items = try await services.presenter.json(
                page.items, of: collection, for: info, try query.recordPresentation())
            return JSONResponse.list(
                page: page.page, perPage: page.perPage, totalItems: page.totalItems, totalPages: page.totalPages,
                items: items)
        }
        group.get(":id") { request, context in
            let name = try Self.collectionName(context)
            let collection = try Self.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.recordRoute, tags: ["view"])
            let info = request.requestInfo(auth: try context.auth.acting(.view, on: collection))
            let record = try await services.records.view(in: name, id: try Self.recordID(context), request: info)
            return try await respond(record, collection: collection, request: request, info: info)
        }
        group.post { request, context in
            var request = request
            let name = try Self.collectionName(context)
            let limit = try bodyLimit(for: name)
            let collection = try Self.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.listRoute, tags: ["create"])
            let auth = try context.auth.acting(.create, on: collection)
            let body = try await request.decodedBody(limit: limit, malformed: .generic)
            let info = request.requestInfo(auth: auth, body: body.values)
            let record = try await services.records.create(in: name, input: body.recordInput, request: info)
            return try await respond(record, collection: try Self.collection(name, services), request: request, info: info)
        }
        group.patch(":id") { request, context in
            var request = request
            let name = try Self.collectionName(context)
            let limit = try bodyLimit(for: name)
            let collection = try Self.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.recordRoute, tags: ["update"])
            let auth = try context.auth.acting(.update, on: collection)
            let body = try await request.decodedBody(limit: limit, malformed: .generic)
            let info = request.requestInfo(auth: auth, body: body.values)
            let record = try await services.records.update(
                in: name, id: try Self.recordID(context), input: body.recordInput, request: info)
            return try await respond(record, collection: try Self.collection(name, services), request: request, info: info)
        }
        group.delete(":id") { request, context in
            let name = try Self.collectionName(context)
            let collection = try Self.collection(name, services)
            try context.rateLimit(services, collection, request, route: Self.recordRoute, tags: ["delete"])
            let auth = try context.auth.acting(.delete, on: collection)
            try await services.records.delete(
                in: name, id: try Self.recordID(context), request: request.requestInfo(auth: auth))
            return JSONResponse.noContent
        }
    }

    /// The record as the requester may see it, with the request's `expand` and `fields`.
    func respond(_ record: RecordModel, collection: CollectionModel, request: Request, info: RequestInfo) async throws
        -> Response
    {
        let presentation = try request.query.recordPresentation()
        return JSONResponse.make(try await services.presenter.json(record, of: collection, for: info, presentation))
    }

    /// The body limit of a record create or update: the base limit plus what the collection's editor, json
    /// and file fields may hold. Checked before the body is read, so an unknown collection answers 404 first.
    func bodyLimit(for collectionName: String) throws -> Int {
        guard let collection = services.schema.snapshot.collection(collectionName) else {
            throw SwiftbaseError.notFound("Missing or invalid collection context.")
        }
        return services.maxBodySize + collection.extraRecordBodyAllowance
    }

    static let listRoute = "/api/collections/{collection}/records"
    static let recordRoute = "/api/collections/{collection}/records/{id}"

    static func collectionName(_ context: SwiftbaseRequestContext) throws -> String {
        guard let name = context.parameters.get("collection") else {
            throw SwiftbaseError.notFound("Missing collection context.")
        }
        return name
    }

    static func recordID(_ context: SwiftbaseRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty else { throw SwiftbaseError.notFound() }
        return id
    }

    static func collection(_ name: String, _ services: HTTPServices) throws -> CollectionModel {
        guard let collection = services.schema.snapshot.collection(name) else {
            throw SwiftbaseError.notFound("Missing collection context.")
        }
        return collection
    }
}
