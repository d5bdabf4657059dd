import Hummingbird
import SwiftbaseCore

/// Auth endpoints of auth collections (`_superusers` among them): password login and token refresh.
struct RecordAuthRoutes {
    let services: CoreServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/collections/:collection")
        group.post("auth-with-password") { request, context in
            var request = request
            let name = try RecordRoutes.collectionName(context)
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            let (record, collection) = try await services.auth.authWithPassword(
                collection: name, identity: Self.text(body.values["identity"]),
                password: Self.text(body.values["password"]),
                identityField: body.values["identityField"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
            let token = try await services.auth.issueToken(for: record, in: collection)
            return try await authResponse(token: token, record: record, collection: collection, request: request)
        }
        group.post("auth-refresh") { request, context in
            let name = try RecordRoutes.collectionName(context)
            guard let collection = services.schema.snapshot.collection(name), collection.isAuth else {
                throw SwiftbaseError.notFound("Missing or invalid auth collection context.")
            }
            guard let record = context.auth.record else {
                throw SwiftbaseError.unauthorized("The request requires valid record authorization token.")
            }
            guard record.collectionId == collection.id else {
                throw SwiftbaseError.forbidden("The request requires auth record from \(collection.name) collection.")
            }
            let token = try await services.auth.issueToken(for: record, in: collection)
            return try await authResponse(token: token, record: record, collection: collection, request: request)
        }
    }

    /// `{"token", "record"}` — the record always with its email; `expand` and `fields` apply.
    func authResponse(token: String, record: RecordModel, collection: CollectionModel, request: Request) async throws
        -> Response
    {
        let auth = AuthService.context(for: record, in: collection)
        var records = [record]
        if let expand = request.query["expand"], !expand.isEmpty {
            let info = request.requestInfo(auth: auth)
            let expander = RecordExpander(store: services.store, schema: services.schema.snapshot, request: info)
            records = try await expander.expand(records, of: collection, tree: RecordExpander.parse(expand))
        }
        let json = RecordEncoder.json(records[0], collection: collection, auth: auth, alwaysShowEmail: true)
        return try JSONResponse.object(["token": .string(token), "record": json], query: request.query)
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s): s
        case .number(let d): JSONValue.number(d).jsonString
        case .bool(let b): b ? "true" : "false"
        default: ""
        }
    }
}
