import Foundation

/// A create-key body, validated field by field into PocketBase's error shape:
/// `name` (1–100 characters), `scopes` (at least one; each an existing collection name or `*`, never
/// `_superusers`, with at least one of list/view/create/update/delete — or an MQTT topic scope
/// `{"topic": "sensors/#", "actions": ["publish", "subscribe"]}`), `expires` (empty, or a date in the
/// future) and `allowedIPs` (IPs and CIDR ranges).
struct APIKeyInput {
    var name: String
    var scopes: [APIKeyScope]
    var topics: [APIKeyTopicScope]
    var expires: String
    var allowedIPs: [String]

    static let failure = "Failed to create API key."

    init(_ body: [String: JSONValue], schema: SchemaSnapshot, now: Date) throws {
        var errors: [String: ErrorData] = [:]
        name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if name.isEmpty {
            errors["name"] = .item(.required)
        } else if name.count > 100 {
            errors["name"] = .item(.lengthOutOfRange(min: 1, max: 100))
        }

        scopes = []
        topics = []
        let list = body["scopes"]?.arrayValue ?? []
        if list.isEmpty { errors["scopes"] = .item(.required) }
        var scopeErrors: [String: ErrorData] = [:]
        for (index, item) in list.enumerated() {
            var itemErrors: [String: ErrorData] = [:]
            if let topic = item["topic"]?.stringValue ?? (item["topic"] == nil ? nil : "") {
                let names = item["actions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if topic.isEmpty {
                    itemErrors["topic"] = .item(.required)
                } else if !APIKeyTopicScope.isValidFilter(topic) {
                    itemErrors["topic"] = .item(
                        ErrorItem("validation_invalid_topic", "Must be a valid MQTT topic filter."))
                }
                if names.isEmpty {
                    itemErrors["actions"] = .item(.required)
                } else if !names.allSatisfy(APIKeyTopicScope.actionNames.contains) {
                    itemErrors["actions"] = .item(.inInvalid)
                }
                if itemErrors.isEmpty {
                    topics.append(APIKeyTopicScope(topic: topic, actions: Set(names)))
                } else {
                    scopeErrors[String(index)] = .fields(itemErrors)
                }
                continue
            }
            let collection = item["collection"]?.stringValue ?? ""
            if collection.isEmpty {
                itemErrors["collection"] = .item(.required)
            } else if collection != "*" {
                let target = schema.collection(collection)
                if target == nil || target?.id == SystemCollections.superusersID {
                    itemErrors["collection"] = .item(
                        ErrorItem("validation_invalid_collection", "Missing or not allowed collection."))
                }
            }
            let names = item["actions"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let actions = names.compactMap(RecordAction.init)
            if names.isEmpty {
                itemErrors["actions"] = .item(.required)
            } else if actions.count != names.count {
                itemErrors["actions"] = .item(.inInvalid)
            }
            if itemErrors.isEmpty {
                scopes.append(APIKeyScope(collection: collection, actions: Set(actions)))
            } else {
                scopeErrors[String(index)] = .fields(itemErrors)
            }
        }
        if !scopeErrors.isEmpty { errors["scopes"] = .fields(scopeErrors) }

        expires = ""
        if let text = body["expires"]?.stringValue, !text.isEmpty {
            if let date = DateTime.parse(text), date > now {
                expires = DateTime.format(date)
            } else {
                errors["expires"] = .item(ErrorItem("validation_invalid_date", "Must be a valid date in the future."))
            }
        }

        allowedIPs = body["allowedIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if IPAllowList(allowedIPs) == nil {
            errors["allowedIPs"] = .item(ErrorItem("validation_invalid_ip", "Must be IP addresses or CIDR ranges."))
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(Self.failure, .fields(errors)) }
    }
}
