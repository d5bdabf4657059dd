import Hummingbird
import SwiftbaseCore

/// `/api/keys` — scoped API keys, managed by superusers signed in with a token (a key can never mint,
/// list or revoke keys). Creation is the one answer that carries the key itself.
struct APIKeyRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/keys")
        group.get { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let keys = try await services.apiKeys.list()
            return try JSONResponse.object(["items": .array(keys.map(\.json))], query: request.query)
        }
        group.post { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            let creator = context.auth.record?.id ?? ""
            let (key, info) = try await services.apiKeys.create(body.values, by: creator)
            context.audit(
                services, "apikey.create", target: info.id,
                details: ["name": .string(info.name), "scopes": info.json["scopes"] ?? []])
            guard case .object(var json) = info.json else { throw SwiftbaseError.badRequest() }
            json["key"] = .string(key)
            return try JSONResponse.object(.object(json), query: request.query)
        }
        group.delete(":id") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            guard let id = context.parameters.get("id") else { throw SwiftbaseError.notFound() }
            try await services.apiKeys.revoke(id: id)
            context.audit(services, "apikey.revoke", target: id)
            return JSONResponse.noContent
        }
    }
}
