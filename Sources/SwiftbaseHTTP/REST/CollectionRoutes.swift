import Hummingbird
import SwiftbaseCore

/// `/api/collections…` — superusers only: 401 without a token, 403 with another identity.
struct CollectionRoutes {
    let services: CoreServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/collections")
        group.get { request, context in
            try Self.requireSuperuser(context)
            let query = request.query
            let page = try await services.collections.list(
                options: RecordListOptions(
                    page: try query.integer("page", default: 1), perPage: try query.integer("perPage", default: 30),
                    skipTotal: try query.bool("skipTotal"), sort: query["sort"] ?? "", filter: query["filter"] ?? ""))
            return try JSONResponse.list(
                page: page.page, perPage: page.perPage, totalItems: page.totalItems, totalPages: page.totalPages,
                items: page.items.map(\.json), query: query)
        }
        group.post { request, context in
            try Self.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .collectionType)
            let collection = try await services.collections.create(.object(body.values))
            return try JSONResponse.object(collection.json, query: request.query)
        }
        group.put("import") { request, context in
            try Self.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            guard let list = body.values["collections"]?.arrayValue, !list.isEmpty else {
                throw SwiftbaseError.validation(
                    "An error occurred while validating the submitted data.", .items(["collections": .required]))
            }
            try await services.collections.importCollections(list, deleteMissing: body.values["deleteMissing"]?.boolValue ?? false)
            return JSONResponse.noContent
        }
        group.get("meta/scaffolds") { request, context in
            try Self.requireSuperuser(context)
            let scaffolds = SystemCollections.scaffolds()
            return JSONResponse.make(.object(scaffolds.mapValues(\.json)))
        }
        group.get(":collection") { request, context in
            try Self.requireSuperuser(context)
            let collection = try Self.collection(context, services)
            return try JSONResponse.object(collection.json, query: request.query)
        }
        group.patch(":collection") { request, context in
            try Self.requireSuperuser(context)
            var request = request
            let existing = try Self.collection(context, services)
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .submittedData)
            let collection = try await services.collections.update(existing.id, with: .object(body.values))
            return try JSONResponse.object(collection.json, query: request.query)
        }
        group.delete(":collection") { request, context in
            try Self.requireSuperuser(context)
            let existing = try Self.collection(context, services)
            try await services.collections.delete(existing.id)
            return JSONResponse.noContent
        }
        group.delete(":collection/truncate") { request, context in
            try Self.requireSuperuser(context)
            let existing = try Self.collection(context, services)
            if existing.type == .view { throw SwiftbaseError.badRequest("Failed to truncate collection.") }
            try await services.records.truncate(existing.id)
            return JSONResponse.noContent
        }
    }

    static func requireSuperuser(_ context: SwiftbaseRequestContext) throws {
        switch context.auth.identity {
        case .guest: throw SwiftbaseError.unauthorized("The request requires valid record authorization token.")
        case .record, .apiKey:
            throw SwiftbaseError.forbidden("The authorized record is not allowed to perform this action.")
        case .superuser: return
        }
    }

    static func collection(_ context: SwiftbaseRequestContext, _ services: CoreServices) throws -> CollectionModel {
        guard let name = context.parameters.get("collection"), let collection = services.schema.snapshot.collection(name)
        else { throw SwiftbaseError.notFound() }
        return collection
    }
}
