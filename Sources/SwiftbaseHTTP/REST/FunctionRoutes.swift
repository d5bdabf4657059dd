import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftbaseCore

/// Functions (see `FunctionService` and Docs/FunctionsAPI.md). For superusers: `POST /api/functions`
/// (multipart `name`, `module`, `config`), `GET /api/functions[/{name}]`, `PATCH`/`DELETE /api/functions/{name}`,
/// `POST /api/functions/{name}/rollback`, `GET /api/functions/{name}/logs`; deploys, edits, rollbacks and
/// deletes are audited. For everyone, as each function decides: `ANY /api/fn/{name}[/{path…}]`.
struct FunctionRoutes {
    let services: HTTPServices
    let functions: FunctionService

    /// A module and its config: WebAssembly modules of a few MiB are common, tens are not.
    static let deployLimit = 64 << 20

    func add(to router: Router<SwiftbaseRequestContext>) {
        let group = router.group("/api/functions")
        group.post { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: Self.deployLimit, malformed: .form)
            let function = try await functions.deploy(
                name: body.values["name"]?.stringValue ?? "", module: body.files["module"]?.first?.data ?? [],
                config: try Self.config(in: body))
            context.audit(services, "function.deploy", target: function.name, details: ["version": .number(Double(function.version))])
            return JSONResponse.make(function.json(active: functions.isRunning(function)))
        }
        group.get { _, context in
            try CollectionRoutes.requireSuperuser(context)
            return JSONResponse.make(["items": .array(try await functions.list().map { $0.json(active: functions.isRunning($0)) })])
        }
        group.get("{name}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let (function, versions) = try await functions.get(try context.parameters.require("name"))
            return JSONResponse.make(function.json(active: functions.isRunning(function), versions: versions))
        }
        group.patch("{name}") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: Self.deployLimit, malformed: .generic)
            let module = body.files["module"]?.first?.data
            let config: JSONValue? = body.isForm ? try Self.config(in: body) : .object(body.values)
            let function = try await functions.update(try context.parameters.require("name"), module: module, config: config)
            context.audit(services, "function.update", target: function.name, details: ["version": .number(Double(function.version))])
            return JSONResponse.make(function.json(active: functions.isRunning(function)))
        }
        group.delete("{name}") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            let name = try context.parameters.require("name")
            try await functions.delete(name)
            context.audit(services, "function.delete", target: name)
            return JSONResponse.noContent
        }
        group.post("{name}/rollback") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            var request = request
            let body = try await request.decodedBody(limit: services.maxBodySize, malformed: .generic).values
            var version: Int?
            switch body["version"] {
            case nil, .null?: version = nil
            case .number(let n)? where n.rounded() == n && n >= 1 && n < 1e9: version = Int(n)
            default:
                throw SwiftbaseError.validation(
                    "Failed to roll back the function.", .items(["version": ErrorItem("validation_invalid_version", "Must be a version number.")]))
            }
            let function = try await functions.rollback(try context.parameters.require("name"), to: version)
            context.audit(services, "function.rollback", target: function.name, details: ["version": .number(Double(function.version))])
            return JSONResponse.make(function.json(active: functions.isRunning(function)))
        }
        group.get("{name}/logs") { request, context in
            try CollectionRoutes.requireSuperuser(context)
            let limit = min(max(try request.query.integer("limit", default: 100), 0), FunctionLogLimit.max)
            let lines = try await functions.logs(try context.parameters.require("name"), limit: limit)
            return JSONResponse.make(["items": .array(lines.map(\.json))])
        }

        let call: @Sendable (Request, SwiftbaseRequestContext) async throws -> Response = { request, context in
            try await self.call(request, context)
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head] {
            router.on("/api/fn/{name}", method: method, use: call)
            router.on("/api/fn/{name}/**", method: method, use: call)
        }
    }

    /// The `config` of a deploy: a form field holding JSON text, or absent.
    static func config(in body: RequestBody) throws -> JSONValue? {
        switch body.values["config"] {
        case nil, .null?: return nil
        case .string(let text)?:
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
            guard let json = try? JSONValue.parse(text) else {
                throw SwiftbaseError.validation(
                    FunctionService.failure, .items(["config": ErrorItem("validation_invalid_json", "Must be valid JSON.")]))
            }
            return json
        case let json?: return json
        }
    }

    /// Hands the request to the function and its answer back.
    private func call(_ request: Request, _ context: SwiftbaseRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        // The path after the function's name, as sent (a trailing slash kept), percent-decoded.
        let decoded = request.uri.path.removingPercentEscapes() ?? request.uri.path
        let prefix = "/api/fn/" + name
        let rest = decoded.hasPrefix(prefix) ? String(decoded.dropFirst(prefix.count)) : ""
        try request.refuseAnnouncedBody(over: services.maxBodySize)
        let buffer = try await request.body.collect(upTo: services.maxBodySize)
        var headers: [String: String] = [:]
        for field in request.headers {
            let key = field.name.canonicalName
            headers[key] = headers[key].map { $0 + ", " + field.value } ?? field.value
        }
        let query = request.query.dictionary
        let answer = try await functions.callHTTP(
            name,
            FunctionHTTPRequest(
                method: request.method.rawValue, path: rest.isEmpty ? "/" : rest, query: query, headers: headers,
                body: Array(buffer.readableBytesView)),
            caller: context.auth)
        var fields = HTTPFields()
        for (key, value) in answer.headers.sorted(by: { $0.key < $1.key }) {
            guard let name = HTTPField.Name(key), !Self.framingHeaders.contains(name.canonicalName) else { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Headers the server sets itself; a function's are ignored.
    static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]
}

/// How many log lines one request may read.
enum FunctionLogLimit {
    static let max = 1_000
}
