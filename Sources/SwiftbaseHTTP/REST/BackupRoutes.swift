import Foundation
import Hummingbird
import Logging
import SwiftbaseCore
import SwiftbaseServices

/// `/api/backups` — PocketBase's backups API for superusers: list, create (`{"name"}` optional), upload
/// (multipart `file`), download (`?token=` a superuser's file token, since browsers cannot send headers
/// there), delete, and restore (answered at once; a second later the backup is staged and the server
/// starts again on it).
struct BackupRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        let backups = services.backups
        router.get("/api/backups") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let items = try await backups.list().map { item -> JSONValue in
                ["key": .string(item.key), "size": .number(Double(item.size)), "modified": .string(DateTime.format(item.modified))]
            }
            return JSONResponse.make(.array(items))
        }
        router.post("/api/backups") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let name = try await Self.name(in: &request)
            try await backups.create(name: name)
            context.audit(services, "backup.created", target: name ?? "")
            return JSONResponse.noContent
        }
        router.post("/api/backups/upload") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: Self.uploadLimit, malformed: .form)
            let file = body.files["file"]?.first
            let (filename, data) = (file?.filename, file?.data)
            try await backups.upload(filename: filename, data: data)
            context.audit(services, "backup.uploaded", target: file?.filename ?? "")
            return JSONResponse.noContent
        }
        router.get("/api/backups/:key") { request, context in
            let token = request.query["token"] ?? ""
            guard !token.isEmpty, let verified = await services.auth.verifyToken(token, kind: .file),
                verified.collection.id == SystemCollections.superusersID,
                services.settings.allowsSuperuser(from: context.clientIP)
            else { throw SwiftbaseError.forbidden("Insufficient permissions to access the resource.") }
            guard let key = Self.key(context), let download = await backups.download(key) else {
                throw SwiftbaseError.notFound()
            }
            // Streamed from the disk or the bucket: a backup can be several GiB.
            let content: FileContent
            let modified: Date
            switch download {
            case .local(let file, let size, let date):
                content = .file(file, size: size)
                modified = date
            case .remote(let store, let key, let size, let date):
                content = .stored(store, key, size: size)
                modified = date
            }
            return FileDownload(
                content: content, name: key, contentType: "application/zip", modified: modified, attachment: true
            ).response(to: request)
        }
        router.delete("/api/backups/:key") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let key = Self.key(context) ?? ""
            try await backups.delete(key)
            context.audit(services, "backup.deleted", target: key)
            return JSONResponse.noContent
        }
        router.post("/api/backups/:key/restore") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let key = Self.key(context) ?? ""
            let source = try await backups.beginRestore(key)
            context.audit(services, "backup.restored", target: key)
            let (logger, restart) = (context.logger, services.restart)
            Task.detached {
                try? await Task.sleep(for: .seconds(1))
                do {
                    try await backups.stageRestore(source)
                } catch {
                    logger.error("restore failed, data unchanged", metadata: ["sb.error": "\(error)"])
                    return
                }
                restart?()
            }
            return JSONResponse.noContent
        }
    }

    /// The `:key` path segment, percent-decoded (uploaded backups keep their client's name, spaces and all).
    static func key(_ context: SwiftbaseRequestContext) -> String? {
        context.parameters.get("key").map { $0.removingPercentEscapes() ?? $0 }
    }

    /// Uploads are not held to the API's body limit (backups are large); this only bounds memory.
    static let uploadLimit = 8 << 30

    /// `name` from a JSON or form body; an empty or missing one means the default name.
    static func name(in request: inout Request) async throws -> String? {
        let loadFailed = SwiftbaseError.badRequest("An error occurred while loading the submitted data.")
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let bytes = Array(buffer.readableBytesView)
        if String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "null" { return nil }
        let body: RequestBody
        do {
            body = try RequestBodyDecoder.decode(contentType: request.headers[.contentType], body: bytes)
        } catch {
            throw loadFailed
        }
        switch body.values["name"] {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        default: throw loadFailed
        }
    }
}
