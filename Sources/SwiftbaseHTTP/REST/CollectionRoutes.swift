import Hummingbird
import SwiftbaseCore

/// `/api/collections…` — superusers only: 401 without a token, 403 with another identity.
struct CollectionRoutes {
    let services: HTTPServices

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
            context.audit(services, "collection.create", target: collection.name, details: ["rules": Self.rules(of: collection)])
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
            let deleteMissing = body.values["deleteMissing"]?.boolValue ?? false
            try await services.collections.importCollections(list, deleteMissing: deleteMissing)
            context.audit(
                services, "collection.import", target: "",
                details: ["count": .number(Double(list.count)), "deleteMissing": .bool(deleteMissing)])
            return JSONResponse.noContent
        }
        group.get("meta/oauth2-providers") { _, context in
            try Self.requireSuperuser(context)
            return JSONResponse.make(
                .array(
                    OAuth2ProviderCatalog.all.map {
                        ["name": .string($0.name), "displayName": .string($0.displayName), "logo": ""]
                    }))
        }
        group.get("meta/scaffolds") { request, context in
            try Self.requireSuperuser(context)
            let scaffolds = SystemCollections.scaffolds()
            return JSONResponse.make(.object(scaffolds.mapValues(\.json)))
        }
        group.post("meta/dry-run-view") { request, context in
            try Self.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .submittedData)
            let query = body.values["query"]?.stringValue ?? ""
            let invalid = "An error occurred while validating the submitted data."
            if query.isEmpty { throw SwiftbaseError.validation(invalid, .items(["query": .required])) }
            if query.count > 5000 {
                throw SwiftbaseError.validation(
                    invalid,
                    .items([
                        "query": ErrorItem(
                            "validation_length_too_long", "The length must be no more than 5000.",
                            params: ["max": 5000, "min": 0])
                    ]))
            }
            let (collection, sample) = try await services.collections.dryRunView(query)
            let records = sample.map { RecordEncoder.json($0, collection: collection, auth: context.auth, alwaysShowEmail: true) }
            return JSONResponse.make(.object(["fields": .array(collection.fields.map(\.json)), "sample": .array(records)]))
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
            var details: [String: JSONValue] = [:]
            let before = Self.rules(of: existing)
            let after = Self.rules(of: collection)
            if before != after { details = ["rulesBefore": before, "rulesAfter": after] }
            if existing.name != collection.name {
                details["renamedFrom"] = .string(existing.name)
                try await services.settings.renameCollectionLabels(from: existing.name, to: collection.name)
            }
            context.audit(services, "collection.update", target: collection.name, details: .object(details))
            return try JSONResponse.object(collection.json, query: request.query)
        }
        group.delete(":collection") { request, context in
            try Self.requireSuperuser(context)
            let existing = try Self.collection(context, services)
            try await services.collections.delete(existing.id)
            context.audit(services, "collection.delete", target: existing.name)
            return JSONResponse.noContent
        }
        group.delete(":collection/truncate") { request, context in
            try Self.requireSuperuser(context)
            let existing = try Self.collection(context, services)
            if existing.type == .view { throw SwiftbaseError.badRequest("Failed to truncate collection.") }
            try await services.records.truncate(existing.id)
            context.audit(services, "collection.truncate", target: existing.name)
            return JSONResponse.noContent
        }
    }

    /// The access rules of a collection (auth collections' `authRule` and `manageRule` included), as the audit
    /// log records them.
    static func rules(of collection: CollectionModel) -> JSONValue {
        func rule(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var rules: [String: JSONValue] = [
            "listRule": rule(collection.listRule), "viewRule": rule(collection.viewRule),
            "createRule": rule(collection.createRule), "updateRule": rule(collection.updateRule),
            "deleteRule": rule(collection.deleteRule),
        ]
        if let auth = collection.auth {
            rules["authRule"] = rule(auth.authRule)
            rules["manageRule"] = rule(auth.manageRule)
        }
        return .object(rules)
    }

    static func requireSuperuser(_ context: SwiftbaseRequestContext) throws {
        switch context.auth.identity {
        case .guest: throw SwiftbaseError.unauthorized("The request requires valid record authorization token.")
        case .record, .apiKey:
            throw SwiftbaseError.forbidden("The authorized record is not allowed to perform this action.")
        case .superuser: return
        }
    }

    static func collection(_ context: SwiftbaseRequestContext, _ services: HTTPServices) throws -> CollectionModel {
        guard let name = context.parameters.get("collection"), let collection = services.schema.snapshot.collection(name)
        else { throw SwiftbaseError.notFound() }
        return collection
    }
}
