package import SwiftbaseCore

/// Turns a request's raw bytes into a ``RequestBody`` the way PocketBase 0.40 binds bodies.
///
/// The content type is chosen by prefix of the `Content-Type` header (case-insensitively):
///
/// | content type | result |
/// |---|---|
/// | empty body, any type | no values |
/// | `application/json…` | the leading JSON value, which must be an object (`null` binds as empty) |
/// | `multipart/form-data…` | parts without a file name → values, parts with one → ``RequestBody/files`` |
/// | `application/x-www-form-urlencoded…` | pairs → values |
/// | anything else, or none | 400 `Unsupported Content-Type.` |
///
/// JSON is read strictly (valid UTF-8, no duplicate names, finite numbers, nesting ≤ 512); bytes after the
/// leading value are ignored, as PocketBase's streaming decoder ignores them.
///
/// Form values are type-inferred (``FormValueInference``), repeated names become arrays, and a value named
/// `@jsonPayload` must be a JSON object, merged over the plain values key by key.
///
/// ```swift
/// let body = try RequestBodyDecoder.decode(contentType: "application/x-www-form-urlencoded",
///                                          body: Array("n=7&tags=a&tags=b&ok=true".utf8))
/// // body.values == ["n": 7, "tags": ["a", "b"], "ok": true]
/// ```
///
/// Malformed bodies throw ``SwiftbaseError`` bad request with ``invalidFormattingMessage``; the reason is in
/// `debugDetail` (logged, never sent).
package enum RequestBodyDecoder {
    package static let invalidFormattingMessage = "Failed to load the submitted data due to invalid formatting."
    package static let unsupportedContentTypeMessage = "Unsupported Content-Type."
    /// The form key whose JSON object is merged over the plain form values (the JS SDK sends data this way).
    package static let jsonPayloadKey = "@jsonPayload"
    /// Go's `http.Request.ParseForm` refuses urlencoded bodies above 10 MiB.
    static let urlEncodedMaxBytes = 10 << 20

    package static func decode(contentType: String?, body: [UInt8]) throws(SwiftbaseError) -> RequestBody {
        let kind = Kind(contentType: contentType)
        guard !body.isEmpty else { return RequestBody(isForm: kind.isForm) }
        switch kind {
        case .json:
            return RequestBody(values: try decodeJSON(body))
        case .multipart:
            return try decodeMultipart(contentType: contentType ?? "", body: body)
        case .urlEncoded:
            guard let headerValue = try? MIMEHeaderValue.parse(contentType ?? ""),
                headerValue.type == "application/x-www-form-urlencoded"
            else { throw invalidFormatting("urlencoded: invalid content type") }
            guard body.count <= urlEncodedMaxBytes else { throw invalidFormatting("urlencoded: body too large") }
            let pairs: [(name: String, value: String)]
            do {
                pairs = try URLEncodedForm.parse(body)
            } catch {
                throw invalidFormatting("urlencoded: \(error.reason)")
            }
            return RequestBody(values: try formValues(pairs), isForm: true)
        case .unsupported:
            throw SwiftbaseError(.badRequest, unsupportedContentTypeMessage)
        }
    }

    // MARK: - JSON

    private static func decodeJSON(_ body: [UInt8]) throws(SwiftbaseError) -> [String: JSONValue] {
        var parser = StrictJSONParser(body)
        let value: JSONValue
        do {
            value = try parser.parseLeadingValue()
        } catch {
            throw invalidFormatting("json: \(error.reason) at byte \(error.offset)")
        }
        return try objectMembers(value, context: "json")
    }

    /// `null` binds as "nothing" (Go leaves the map untouched); any other non-object is an error.
    private static func objectMembers(_ value: JSONValue, context: String) throws(SwiftbaseError) -> [String: JSONValue]
    {
        switch value {
        case .object(let members): return members
        case .null: return [:]
        default: throw invalidFormatting("\(context): the body must be a JSON object")
        }
    }

    // MARK: - Multipart

    private static func decodeMultipart(contentType: String, body: [UInt8]) throws(SwiftbaseError) -> RequestBody {
        guard let headerValue = try? MIMEHeaderValue.parse(contentType), headerValue.type == "multipart/form-data",
            let boundary = headerValue.parameters["boundary"]
        else { throw invalidFormatting("multipart: missing or invalid boundary") }

        let multipart: MultipartBody
        do {
            multipart = try MultipartBody.parse(body, boundary: boundary)
        } catch {
            throw invalidFormatting("multipart: \(error.reason)")
        }

        var pairs: [(name: String, value: String)] = []
        var files: [String: [UploadedFile]] = [:]
        for part in multipart.parts {
            guard let disposition = formDisposition(of: part) else { continue }
            if let filename = disposition.filename {
                let file = UploadedFile(
                    filename: filename, contentType: part.header("Content-Type"), data: Array(part.body))
                files[disposition.name, default: []].append(file)
            } else {
                guard let text = String(validating: part.body, as: UTF8.self) else {
                    throw invalidFormatting("multipart: value of \(disposition.name) is not valid UTF-8")
                }
                pairs.append((disposition.name, text))
            }
        }
        return RequestBody(values: try formValues(pairs), files: files, isForm: true)
    }

    /// The part's form name and file name, or `nil` for parts a form reader skips (no
    /// `Content-Disposition: form-data` with a non-empty `name`, or an unparsable header).
    private static func formDisposition(of part: MultipartBody.Part) -> (name: String, filename: String?)? {
        guard let header = part.header("Content-Disposition"),
            let disposition = try? MIMEHeaderValue.parse(header), disposition.type == "form-data",
            let name = disposition.parameters["name"], !name.isEmpty
        else { return nil }
        guard let rawFilename = disposition.parameters["filename"], !rawFilename.isEmpty else {
            return (name, nil)  // `filename=""` is a plain value, as in Go
        }
        return (name, baseName(rawFilename))
    }

    /// The last `/`-separated element, trailing slashes ignored (Go's `filepath.Base` on Unix).
    static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "/" { return "/" }
        if let slash = trimmed.lastIndex(of: "/") { return String(trimmed[trimmed.index(after: slash)...]) }
        return String(trimmed)
    }

    // MARK: - Form values

    private static func formValues(_ pairs: [(name: String, value: String)]) throws(SwiftbaseError) -> [String:
        JSONValue]
    {
        var grouped: [String: [String]] = [:]
        var payloads: [String] = []
        for (name, value) in pairs {
            if name == jsonPayloadKey {
                payloads.append(value)
            } else {
                grouped[name, default: []].append(value)
            }
        }
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(grouped.count)
        for (name, raw) in grouped {
            values[name] =
                raw.count == 1 ? FormValueInference.infer(raw[0]) : .array(raw.map(FormValueInference.infer))
        }
        for payload in payloads {
            let decoded: JSONValue
            do {
                decoded = try StrictJSONParser.parseDocument(Array(payload.utf8))
            } catch {
                throw invalidFormatting("@jsonPayload: \(error.reason) at byte \(error.offset)")
            }
            values.merge(try objectMembers(decoded, context: "@jsonPayload")) { _, payload in payload }
        }
        return values
    }

    private static func invalidFormatting(_ detail: String) -> SwiftbaseError {
        SwiftbaseError(.badRequest, invalidFormattingMessage, debugDetail: detail)
    }
}

// MARK: - Content type

extension RequestBodyDecoder {
    enum Kind: Equatable {
        case json, multipart, urlEncoded, unsupported

        init(contentType: String?) {
            let lowered = GoText.trimSpace(contentType ?? "").lowercased()
            if lowered.hasPrefix("application/json") {
                self = .json
            } else if lowered.hasPrefix("multipart/form-data") {
                self = .multipart
            } else if lowered.hasPrefix("application/x-www-form-urlencoded") {
                self = .urlEncoded
            } else {
                self = .unsupported
            }
        }

        var isForm: Bool { self == .multipart || self == .urlEncoded }
    }
}
