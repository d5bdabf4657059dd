import Foundation
import Hummingbird
import SwiftbaseCore
import SwiftbaseServices

/// `/api/files` — file tokens, and downloads of record files with PocketBase's access model: files of an
/// unprotected field are public to anyone who knows the record id and name; a `protected` field's files
/// need `?token=<file token>` whose record passes the collection's viewRule (context `protectedFile`); the
/// `Authorization` header plays no part. Every refusal is a plain 404, so nothing tells a file exists.
struct FileRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.post("/api/files/token") { _, context in
            guard let record = context.auth.record, context.auth.apiKey == nil,
                let collection = services.schema.snapshot.collection(record.collectionId)
            else { throw SwiftbaseError.unauthorized("The request requires valid record authorization token.") }
            let token = try await services.auth.issueToken(.file, for: record, in: collection)
            return JSONResponse.make(["token": .string(token)])
        }
        let path: RouterPath = "/api/files/:collection/:record/:filename"
        router.get(path) { request, context in try await download(request, context) }
        router.head(path) { request, context in
            var response = try await download(request, context)
            let length = response.body.contentLength
            response.body = ResponseBody()  // resets Content-Length, so it is set after
            if let length { response.headers[.contentLength] = String(length) }
            return response
        }
    }

    private func download(_ request: Request, _ context: SwiftbaseRequestContext) async throws -> Response {
        guard let collectionName = context.parameters.get("collection"),
            let collection = services.schema.snapshot.collection(collectionName)
        else { throw SwiftbaseError.notFound("Missing or invalid collection context.") }
        guard let id = context.parameters.get("record"), let name = context.parameters.get("filename"),
            let record = try await services.auth.findRecord(id: id, in: collection)
        else { throw SwiftbaseError.notFound() }
        // A view serves the file from the record its query read it from.
        var owner = collection
        var holder = record
        if collection.type == .view {
            guard let (viewField, _) = Self.fileField(holding: name, in: record, collection: collection),
                let (source, field) = ViewFileSource.resolve(collection, field: viewField.name, in: services.schema.snapshot),
                let sourceRecord = try await services.records.record(in: source, whoseFile: field, holds: name)
            else { throw SwiftbaseError.notFound() }
            owner = source
            holder = sourceRecord
        }
        guard let (_, options) = Self.fileField(holding: name, in: holder, collection: owner) else {
            throw SwiftbaseError.notFound()
        }
        let query = request.query
        if options.protected {
            try await requireAccess(
                to: record, in: collection, token: query["token"] ?? "", request: request, clientIP: context.clientIP)
        }
        let original = owner.id + "/" + holder.id + "/" + name
        let stored = try await Self.open(original, in: services.files)
        guard let (content, head, modified) = stored else { throw SwiftbaseError.notFound() }
        let attachment = Self.goBool(query["download"] ?? "")
        let type = FileDownload.contentType(name: name, data: head)
        if let thumb = query["thumb"], !thumb.isEmpty, thumb == "100x100" || options.thumbs.contains(thumb),
            let size = ThumbSize(thumb), let made = await thumbnail(of: original, name: name, size: size, type: type)
        {
            return FileDownload(
                content: .bytes(made.data), name: thumb + "_" + name, contentType: made.type, modified: made.modified,
                attachment: attachment
            ).response(to: request)
        }
        return FileDownload(content: content, name: name, contentType: type, modified: modified, attachment: attachment)
            .response(to: request)
    }

    /// A protected file: the requester is whoever the file token names (a guest without a valid one), and
    /// the record must pass the viewRule for them (superusers always pass).
    private func requireAccess(
        to record: RecordModel, in collection: CollectionModel, token: String, request: Request, clientIP: String
    ) async throws {
        var auth = AuthContext.guest
        if !token.isEmpty, let verified = await services.auth.verifyToken(token, kind: .file) {
            auth = AuthService.context(for: verified.record, in: verified.collection)
        }
        // A superuser's token from outside `superuserIPs` counts for nothing, as in PocketBase.
        if auth.isSuperuser, !services.settings.allowsSuperuser(from: clientIP) { auth = .guest }
        if auth.isSuperuser { return }
        guard let rule = collection.viewRule else { throw SwiftbaseError.notFound() }
        let info = request.requestInfo(auth: auth, context: "protectedFile")
        guard try await services.records.matches(rule, record: record, collection: collection, request: info) else {
            throw SwiftbaseError.notFound()
        }
    }

    /// The original's content, its first bytes (for its type) and modification time; nil when it is missing.
    /// Local files and objects in a bucket are streamed when sent; only their first bytes are read here.
    private static func open(_ path: String, in files: any FileStore) async throws -> (FileContent, [UInt8], Date)? {
        guard let attributes = await files.attributes(of: path) else { return nil }
        if let url = await files.localURL(of: path) {
            let head = try await BlockingWork.run { try FileContent.prefix(of: url, count: FileDownload.sniffLength) }
            return (.file(url, size: attributes.size), head, attributes.modified)
        }
        guard attributes.size > 0 else { return (.bytes([]), [], attributes.modified) }
        var head: [UInt8] = []
        for try await chunk in try await files.chunks(of: path, range: 0...(min(attributes.size, FileDownload.sniffLength) - 1)) {
            head += chunk
        }
        return (.stored(files, path, size: attributes.size), head, attributes.modified)
    }

    /// The cached thumb (`<collectionId>/<recordId>/thumbs_<name>/<size>_<name>`, PocketBase's key), made from
    /// the original on first request and stored beside it; nil (serve the original) for types without thumbs or
    /// when the image cannot be decoded.
    private func thumbnail(of original: String, name: String, size: ThumbSize, type: String) async
        -> (data: [UInt8], type: String, modified: Date)?
    {
        guard let thumbnails = services.thumbnails, thumbnails.supports(type) else { return nil }
        let files = services.files
        let cached = (original.split(separator: "/").dropLast().joined(separator: "/")) + "/thumbs_" + name + "/"
            + size.text + "_" + name
        let outputType = thumbnails.outputType(for: type)
        if let attributes = await files.attributes(of: cached), let bytes = try? await files.read(cached) {
            return (bytes, outputType, attributes.modified)
        }
        guard let data = try? await files.read(original),
            let made = await BlockingWork.run({ thumbnails.thumbnail(of: data, type: type, size: size) })
        else { return nil }
        try? await files.write(made, to: cached)
        return (made, outputType, await files.attributes(of: cached)?.modified ?? Date())
    }

    static func fileField(holding name: String, in record: RecordModel, collection: CollectionModel)
        -> (FieldModel, FileFieldOptions)?
    {
        for field in collection.fields {
            guard case .file(let options) = field.options else { continue }
            if FileFieldOptions.fileNames(record.values[field.name] ?? .null).contains(name) { return (field, options) }
        }
        return nil
    }

    /// Go's `strconv.ParseBool` truth values.
    static func goBool(_ text: String) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(text)
    }
}
