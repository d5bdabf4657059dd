import Hummingbird
import SwiftbaseCore

/// Auth endpoints of auth collections (`_superusers` among them): the methods a collection offers,
/// password login, token refresh and superuser impersonation. Every successful one answers with
/// `authResponse`, which first checks the collection's `authRule`.
struct RecordAuthRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/collections/:collection")
        group.get("auth-methods") { request, context in
            try requireKnownCollection(context, request, tags: ["listAuthMethods"])
            let collection = try authCollection(context)
            return try JSONResponse.object(Self.authMethods(of: collection), query: request.query)
        }
        group.post("auth-with-password") { request, context in
            try requireKnownCollection(context, request, tags: ["authWithPassword", "auth"])
            var request = request
            let name = try RecordRoutes.collectionName(context)
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            let (record, collection) = try await services.auth.authWithPassword(
                collection: name, identity: Self.text(body.values["identity"]),
                password: Self.text(body.values["password"]),
                identityField: body.values["identityField"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                clientIP: context.clientIP)
            return try await authResponse(
                record: record, collection: collection, request: request, requester: context.auth,
                method: .password, mfaId: body.values["mfaId"]?.stringValue ?? "", remoteIP: context.clientIP)
        }
        group.post("auth-refresh") { request, context in
            try requireKnownCollection(context, request, tags: ["authRefresh"])
            let (record, collection) = try Self.requireSameCollectionAuth(context, services: services)
            // Impersonation tokens are not refreshable: they are answered unchanged until they expire.
            let token =
                context.auth.refreshable || context.auth.token == nil
                ? try await services.auth.issueToken(for: record, in: collection) : context.auth.token ?? ""
            return try await authResponse(
                token: token, record: record, collection: collection, request: request, requester: context.auth)
        }
        group.post("impersonate/:id") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let collection = try authCollection(context)
            let id = try RecordRoutes.recordID(context)
            guard let record = try await services.auth.findRecord(id: id, in: collection) else {
                throw SwiftbaseError.notFound()
            }
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            let duration = try Self.impersonationDuration(body.values["duration"])
            let token = try await services.auth.issueToken(
                for: record, in: collection, refreshable: false, duration: duration)
            context.audit(
                services, "auth.impersonate", target: "\(collection.name)/\(record.id)",
                details: ["duration": .number(Double(duration ?? collection.auth?.authTokenDuration ?? 0))])
            return try await authResponse(
                token: token, record: record, collection: collection, request: request, requester: context.auth)
        }
    }

    /// A login by `method`: the collection's `authRule` and MFA decide, then a fresh token is issued. A login
    /// that needs a second factor answers 401 `{"mfaId"}` — not the error shape — as PocketBase does.
    func authResponse(
        record: RecordModel, collection: CollectionModel, request: Request, requester: AuthContext,
        method: AuthMethod, mfaId: String, remoteIP: String, meta: JSONValue? = nil
    ) async throws -> Response {
        // PocketBase checks the superuser whitelist first, once the credential proved right.
        if collection.id == SystemCollections.superusersID, !services.settings.allowsSuperuser(from: remoteIP) {
            throw SwiftbaseError.forbidden()
        }
        let info = request.requestInfo(auth: requester)
        try await services.auth.requireAuthRule(for: record, in: collection, request: info)
        let mfaId = request.query["mfaId"].flatMap { $0.isEmpty ? nil : $0 } ?? mfaId
        if let session = try await services.accounts.checkMFA(
            record: record, collection: collection, method: method, mfaId: mfaId, request: info)
        {
            return JSONResponse.make(["mfaId": .string(session)], status: .unauthorized)
        }
        let token = try await services.auth.issueToken(for: record, in: collection)
        let response = try await authResponse(
            token: token, record: record, collection: collection, request: request, requester: requester, meta: meta)
        await services.accounts.noteLoginOrigin(
            record: record, collection: collection, ip: remoteIP, userAgent: request.headers[.userAgent] ?? "")
        if collection.id == SystemCollections.superusersID {
            services.audit.record(
                AuditEvent(
                    event: "superuser.login", actor: "_superusers:" + record.id, ip: remoteIP, target: record.id,
                    details: ["method": .string(method.rawValue)]))
        }
        return response
    }

    /// `{"token", "record"}` once the record passes the collection's `authRule` for the requester. The record
    /// always shows its email; `expand` and `fields` apply with the record as the requester.
    func authResponse(
        token: String, record: RecordModel, collection: CollectionModel, request: Request, requester: AuthContext,
        meta: JSONValue? = nil
    ) async throws -> Response {
        let info = request.requestInfo(auth: requester)
        try await services.auth.requireAuthRule(for: record, in: collection, request: info)
        let json = try await services.presenter.authResponse(
            token: token, record: record, of: collection, request: info, try request.query.recordPresentation(),
            meta: meta)
        return JSONResponse.make(json)
    }

    /// PocketBase's same-collection guard: no identity is 401; a token of another collection (or a path that
    /// names no collection) is 403 naming the token's own collection.
    @discardableResult
    static func requireSameCollectionAuth(_ context: SwiftbaseRequestContext, services: HTTPServices) throws
        -> (RecordModel, CollectionModel)
    {
        guard let record = context.auth.record else {
            throw SwiftbaseError.unauthorized("The request requires valid record authorization token.")
        }
        guard let name = context.parameters.get("collection"),
            let collection = services.schema.snapshot.collection(name), record.collectionId == collection.id
        else {
            throw SwiftbaseError.forbidden("The request requires auth record from \(record.collectionName) collection.")
        }
        return (record, collection)
    }

    /// PocketBase's per-collection rate limiter runs before every auth endpoint but impersonation, and it
    /// answers a path naming no collection at all with its own 404.
    /// …and then counts the request against the rules for its tags (before any auth check, as PocketBase does).
    func requireKnownCollection(_ context: SwiftbaseRequestContext, _ request: Request, tags: [String]) throws {
        guard let name = context.parameters.get("collection"), let collection = services.schema.snapshot.collection(name)
        else { throw SwiftbaseError.notFound("Missing or invalid collection context.") }
        guard !tags.isEmpty else { return }
        let action = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
        try context.rateLimit(services, collection, request, route: "/api/collections/{collection}/" + action, tags: tags)
    }

    func authCollection(_ context: SwiftbaseRequestContext) throws -> CollectionModel {
        try services.accounts.authCollection(context.parameters.get("collection") ?? "")
    }

    /// What `GET /auth-methods` reports, in PocketBase 0.40's shape with its legacy keys. Durations are shown
    /// only for enabled methods; OAuth2 providers only while OAuth2 is enabled, each with its own state.
    static func authMethods(of collection: CollectionModel) -> JSONValue {
        let auth = collection.auth
        let passwordEnabled = auth?.passwordAuthEnabled ?? false
        let identityFields = passwordEnabled ? auth?.passwordIdentityFields ?? [] : []
        func method(_ key: String) -> JSONValue {
            let enabled = auth?.extra[key]?["enabled"]?.boolValue ?? false
            let duration = enabled ? auth?.extra[key]?["duration"]?.doubleValue ?? 0 : 0
            return ["enabled": .bool(enabled), "duration": .number(duration)]
        }
        let oauth2 = OAuth2Options(collection)
        let providers = oauth2.enabled ? oauth2.providers.compactMap { $0.resolved() }.map(Self.providerInfo) : []
        let legacyProviders = providers.map { provider -> JSONValue in
            guard case .object(var object) = provider else { return provider }
            object["logo"] = ""
            return .object(object)
        }
        return [
            "password": ["enabled": .bool(passwordEnabled), "identityFields": identityFields.jsonArray],
            "oauth2": ["enabled": .bool(oauth2.enabled), "providers": .array(providers)],
            "mfa": method("mfa"),
            "otp": method("otp"),
            "authProviders": .array(legacyProviders),
            "usernamePassword": .bool(passwordEnabled && identityFields.contains("username")),
            "emailPassword": .bool(passwordEnabled && identityFields.contains("email")),
        ]
    }

    /// One provider of `auth-methods`: a fresh `state` and PKCE pair, and the link to send the user to.
    static func providerInfo(_ provider: OAuth2Provider) -> JSONValue {
        let link = OAuth2AuthorizationURL(provider: provider)
        return [
            "name": .string(provider.name), "displayName": .string(provider.displayName), "logo": "",
            "state": .string(link.state), "authURL": .string(link.url), "authUrl": .string(link.url),
            "codeVerifier": .string(link.codeVerifier), "codeChallenge": .string(link.codeChallenge),
            "codeChallengeMethod": .string(link.codeChallengeMethod),
        ]
    }

    /// Impersonation `duration` in seconds: absent or 0 means the collection's default; negative is refused.
    static func impersonationDuration(_ value: JSONValue?) throws -> Int? {
        guard let value, value != .null else { return nil }
        guard let seconds = value.doubleValue, seconds.rounded() == seconds, seconds.magnitude < 1e15 else {
            throw SwiftbaseError.badRequest("An error occurred while loading the submitted data.")
        }
        guard seconds >= 0 else {
            throw SwiftbaseError.validation(
                "An error occurred while validating the submitted data.",
                .items(["duration": ErrorItem("validation_min_greater_equal_than_required", "Must be no less than 0.")]))
        }
        return seconds == 0 ? nil : Int(seconds)
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
