import Foundation

/// A webhook's fields as `POST`/`PATCH /api/webhooks` give them, read and checked field by field into
/// PocketBase's error shape. Fields left out keep their value (on create: the defaults).
struct WebhookInput {
    /// Header names a webhook may not set: the signature's own, and those the HTTP client owns.
    static let reservedHeaders: Set<String> = [
        "content-type", "content-length", "host", "transfer-encoding", "connection", "webhook-id", "webhook-timestamp",
        "webhook-signature",
    ]

    /// Applies `body` over `webhook`; throws a 400 with every field's problem.
    static func apply(_ body: [String: JSONValue], to webhook: inout Webhook, schema: SchemaSnapshot) throws {
        var errors: [String: ErrorItem] = [:]
        if let name = body["name"] {
            let text = name.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
            if text.isEmpty { errors["name"] = .required } else if text.count > 100 {
                errors["name"] = .lengthOutOfRange(min: 1, max: 100)
            } else {
                webhook.name = text
            }
        }
        if let url = body["url"] {
            let text = url.stringValue ?? ""
            if isTargetURL(text) { webhook.url = text } else {
                errors["url"] = ErrorItem("validation_is_url", "Must be an http:// or https:// URL with a host.")
            }
        }
        if let collections = body["collections"], collections != .null {
            var ids: [String] = []
            for item in collections.arrayValue ?? [.null] {
                guard let name = item.stringValue, let collection = schema.collection(name) else {
                    errors["collections"] = ErrorItem("validation_unknown_collection", "Unknown collection \(item.stringValue ?? "").")
                    continue
                }
                if !ids.contains(collection.id) { ids.append(collection.id) }
            }
            webhook.collectionIds = ids
        }
        if let actions = body["actions"], actions != .null {
            let parsed = (actions.arrayValue ?? [.null]).map { $0.stringValue.flatMap(ChangeLogEntry.Action.init(rawValue:)) }
            if parsed.isEmpty || parsed.contains(where: { $0 == nil }) {
                errors["actions"] = ErrorItem("validation_invalid_actions", "Use one or more of create, update and delete.")
            } else {
                webhook.actions = ChangeLogEntry.Action.allCases.filter { parsed.contains($0) }
            }
        }
        if let filter = body["filter"], filter != .null {
            if let text = filter.stringValue { webhook.filter = text } else { errors["filter"] = .invalidValue }
        }
        if let enabled = body["enabled"], enabled != .null {
            if let flag = enabled.boolValue {
                if flag && !webhook.enabled {
                    webhook.consecutiveFailures = 0
                    webhook.disabledReason = ""
                }
                webhook.enabled = flag
            } else {
                errors["enabled"] = .invalidValue
            }
        }
        if let headers = body["headers"], headers != .null {
            var parsed: [String: String] = [:]
            for (name, value) in headers.objectValue ?? ["": .null] {
                guard isToken(name), !reservedHeaders.contains(name.lowercased()), let text = value.stringValue,
                    !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
                else {
                    errors["headers"] = ErrorItem(
                        "validation_invalid_headers",
                        "Headers are an object of names to text values; content-type and webhook-* are set by Swiftbase.")
                    continue
                }
                parsed[name] = text
            }
            webhook.headers = parsed
        }
        if errors["filter"] == nil && errors["collections"] == nil,
            let problem = ChangeFilter.problem(webhook.filter, collectionIds: webhook.collectionIds, schema: schema)
        {
            errors["filter"] = problem
        }
        if !errors.isEmpty { throw SwiftbaseError.validation("Failed to save the webhook.", .items(errors)) }
    }

    /// `http(s)://host…`: the only targets a webhook may have.
    static func isTargetURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), text.utf8.count <= 2048,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }),
            let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    /// An HTTP header name (RFC 9110's token).
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
    }
}
