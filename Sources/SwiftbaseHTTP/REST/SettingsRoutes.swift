import Foundation
import Hummingbird
import Logging
import SwiftbaseCore
import SwiftbaseServices

/// `/api/settings` — the app settings, for superusers: `GET` answers them (secrets left out), `PATCH` merges
/// a partial document, validates and saves it, and answers the result.
struct SettingsRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/settings") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            return try JSONResponse.object(services.settings.publicJSON, query: request.query)
        }
        router.patch("/api/settings") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let raw = try await request.decodedBody(limit: services.maxBodySize, malformed: .form)
            let before = services.settings.publicJSON
            let saved = try await services.settings.update(.object(raw.values))
            context.audit(services, "settings.update", target: "", details: Self.changedSections(before, saved))
            // As PocketBase on a settings reload: stored request logs the new `logs` settings would not keep go.
            do {
                try await services.logs.pruneToSettings()
            } catch {
                context.logger.warning("failed to prune request logs to the new settings", metadata: ["sb.error": "\(error)"])
            }
            return try JSONResponse.object(saved, query: request.query)
        }
        // Sends one of an auth collection's templates to an address now: `{"email", "template", "collection"}`.
        router.post("/api/settings/test/email") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form).values
            func text(_ key: String) -> String { body[key]?.stringValue ?? "" }
            try await services.accounts.sendTestEmail(to: text("email"), template: text("template"), collection: text("collection"))
            context.audit(services, "settings.test_email", target: text("email"), details: ["template": .string(text("template"))])
            return JSONResponse.noContent
        }
        // Uploads and deletes a small file with the saved `s3` (`"storage"`) or `backups.s3` (`"backups"`) settings.
        router.post("/api/settings/test/s3") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form).values
            let filesystem = body["filesystem"]?.stringValue ?? ""
            try await S3ConnectionTest(settings: services.settings).run(filesystem: filesystem)
            context.audit(services, "settings.test_s3", target: filesystem)
            return JSONResponse.noContent
        }
        // Sign in with Apple's client secret from the developer's key (`{clientId, teamId, keyId, privateKey,
        // duration}` → `{"secret"}`); the key is used for this request only and never stored or logged.
        router.post("/api/settings/apple/generate-client-secret") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .form).values
            let secret = try await AppleClientSecret(body: body).generate(now: Date())
            context.audit(services, "settings.apple_client_secret", target: body["clientId"]?.stringValue ?? "")
            return JSONResponse.make(["secret": .string(secret)])
        }
    }

    /// Which top-level sections a save changed (never their values: they may hold secrets).
    static func changedSections(_ before: JSONValue, _ after: JSONValue) -> JSONValue {
        let keys = (after.objectValue ?? [:]).keys.filter { before[$0] != after[$0] }.sorted()
        return ["changed": .array(keys.map(JSONValue.string))]
    }
}
