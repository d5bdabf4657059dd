import SwiftbaseCore

/// One sub-request of `POST /api/batch`, as submitted.
struct BatchItem: Sendable, Equatable {
    var method: String
    var url: String
    var body: [String: JSONValue]
    /// Header names as sent; they override the batch request's own headers (except `Authorization`).
    var headers: [String: String]
    /// Multipart file parts named `requests.<i>.<field>` or `requests[<i>].<field>`, by field key.
    var files: [String: [UploadedFile]] = [:]
}

/// Reads and validates the batch body as PocketBase does: `{"requests": [{method, url, body, headers}]}`
/// with keys matched case-insensitively, sent as JSON or, with files, as a form whose `@jsonPayload` part
/// holds that JSON. Also accepted (a Swiftbase extension, since the `pocketbase` Python SDK sends it): a JSON
/// body `{"@jsonPayload": "<that JSON as a string>"}`. A body of the wrong shape cannot be read at all
/// (`readFailed`); a readable one is validated item by item (`invalid`).
enum BatchForm {
    static let readFailed = SwiftbaseError.badRequest("Failed to read the submitted batch data.")
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    static let maxURLLength = 2000

    static func items(from body: RequestBody, maxRequests: Int) throws -> [BatchItem] {
        var values = body.values
        if !body.isForm, values.count == 1, case .string(let payload)? = values[RequestBodyDecoder.jsonPayloadKey] {
            guard let object = (try? JSONValue.parse(payload))?.objectValue else { throw readFailed }
            values = object
        }
        var items = try read(values)
        for (key, files) in body.files {
            guard let (index, field) = fileTarget(key), index < items.count else { continue }
            items[index].files[field, default: []].append(contentsOf: files)
        }
        try validate(items, maxRequests: maxRequests)
        return items
    }

    /// The typed shape; any value of the wrong JSON type makes the whole body unreadable.
    static func read(_ values: [String: JSONValue]) throws -> [BatchItem] {
        let requests: [JSONValue]
        switch value(values, "requests") {
        case nil, .null?: return []
        case .array(let list)?: requests = list
        default: throw readFailed
        }
        return try requests.map { raw in
            guard case .object(let item) = raw else { throw readFailed }
            var headers: [String: String] = [:]
            switch value(item, "headers") {
            case nil, .null?: break
            case .object(let object)?:
                for (name, value) in object {
                    guard case .string(let text) = value else { throw readFailed }
                    headers[name] = text
                }
            default: throw readFailed
            }
            let body: [String: JSONValue]
            switch value(item, "body") {
            case nil, .null?: body = [:]
            case .object(let object)?: body = object
            default: throw readFailed
            }
            return BatchItem(method: try text(item, "method"), url: try text(item, "url"), body: body, headers: headers)
        }
    }

    static func validate(_ items: [BatchItem], maxRequests: Int) throws {
        let invalid = "Invalid batch request data."
        if items.isEmpty { throw SwiftbaseError.validation(invalid, .items(["requests": .required])) }
        if items.count > maxRequests {
            throw SwiftbaseError.validation(
                invalid,
                .items([
                    "requests": ErrorItem(
                        "validation_length_too_long", "The length must be no more than \(maxRequests).",
                        params: ["max": .number(Double(maxRequests)), "min": 0])
                ]))
        }
        var errors: [String: ErrorData] = [:]
        for (index, item) in items.enumerated() {
            var fields: [String: ErrorItem] = [:]
            if item.method.isEmpty {
                fields["method"] = .required
            } else if !methods.contains(item.method) {
                fields["method"] = .inInvalid
            }
            if item.url.isEmpty {
                fields["url"] = .required
            } else if item.url.count > maxURLLength {
                fields["url"] = ErrorItem(
                    "validation_length_too_long", "The length must be no more than \(maxURLLength).",
                    params: ["max": .number(Double(maxURLLength)), "min": 0])
            }
            if !fields.isEmpty { errors[String(index)] = .items(fields) }
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(invalid, .fields(["requests": .fields(errors)])) }
    }

    /// `requests.3.avatar` or `requests[3].avatar` → (3, "avatar").
    static func fileTarget(_ key: String) -> (Int, String)? {
        let rest: Substring
        if key.hasPrefix("requests.") {
            rest = key.dropFirst("requests.".count)
        } else if key.hasPrefix("requests[") {
            let inner = key.dropFirst("requests[".count)
            guard let close = inner.firstIndex(of: "]") else { return nil }
            rest = inner[..<close] + inner[inner.index(after: close)...]
        } else {
            return nil
        }
        guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]), index >= 0 else { return nil }
        let field = rest[rest.index(after: dot)...]
        return field.isEmpty ? nil : (index, String(field))
    }

    private static func value(_ object: [String: JSONValue], _ key: String) -> JSONValue? {
        if let exact = object[key] { return exact }
        return object.first { $0.key.lowercased() == key }?.value
    }

    private static func text(_ object: [String: JSONValue], _ key: String) throws -> String {
        switch value(object, key) {
        case nil, .null?: return ""
        case .string(let s)?: return s
        default: throw readFailed
        }
    }
}
