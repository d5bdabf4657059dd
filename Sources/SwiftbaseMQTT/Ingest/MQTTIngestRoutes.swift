import Foundation
public import SwiftbaseCore

/// `mqtt.ingest` from the settings: routes that turn matching PUBLISH messages into records. Each route names a
/// topic filter, a collection, and where each field's value comes from — a level of the topic (`topic[1]`, counted
/// from 0) or a path into the payload's JSON (`$` the whole payload, `$.value`, `$.a.b[0]`).
///
/// ```json
/// {"topic": "sensors/+/temperature", "collection": "readings", "fields": {"device": "topic[1]", "celsius": "$.value"}}
/// ```
public struct MQTTIngestRoutes: Sendable, Equatable {
    public struct Route: Sendable, Equatable {
        public var topic: String
        public var collection: String
        public var fields: [String: Source]
    }

    /// Where one field's value is read.
    public enum Source: Sendable, Equatable {
        case topicLevel(Int)
        /// Object keys and array indexes from the payload's root; empty: the whole payload.
        case payload([PathStep])

        public init?(_ text: String) {
            if text.hasPrefix("topic["), text.hasSuffix("]"), let n = Int(text.dropFirst(6).dropLast()), n >= 0 {
                self = .topicLevel(n)
            } else if let steps = PathStep.parse(text) {
                self = .payload(steps)
            } else {
                return nil
            }
        }
    }

    public enum PathStep: Sendable, Equatable {
        case key(String)
        case index(Int)

        /// `$`, `$.a.b`, `$.a[0].c`, `$[1]`; nil for anything else.
        static func parse(_ text: String) -> [PathStep]? {
            guard text.first == "$" else { return nil }
            var steps: [PathStep] = []
            var rest = text.dropFirst()
            while let first = rest.first {
                if first == "." {
                    rest = rest.dropFirst()
                    let key = rest.prefix { $0 != "." && $0 != "[" }
                    guard !key.isEmpty else { return nil }
                    steps.append(.key(String(key)))
                    rest = rest.dropFirst(key.count)
                } else if first == "[" {
                    guard let close = rest.firstIndex(of: "]"), let n = Int(rest[rest.index(after: rest.startIndex)..<close]),
                        n >= 0
                    else { return nil }
                    steps.append(.index(n))
                    rest = rest[rest.index(after: close)...]
                } else {
                    return nil
                }
            }
            return steps
        }
    }

    public var routes: [Route]

    /// The valid routes of a settings document (its `mqtt.ingest`); an invalid one (refused on save) is skipped.
    public init(settings: JSONValue) {
        routes = (settings["mqtt"]?["ingest"]?.arrayValue ?? []).compactMap { item in
            guard let topic = item["topic"]?.stringValue, MQTTTopic.isValidFilter(topic),
                let collection = item["collection"]?.stringValue, !collection.isEmpty
            else { return nil }
            var fields: [String: Source] = [:]
            for (name, value) in item["fields"]?.objectValue ?? [:] {
                guard let text = value.stringValue, let source = Source(text) else { return nil }
                fields[name] = source
            }
            return Route(topic: topic, collection: collection, fields: fields)
        }
    }

    /// The routes whose filter matches `topic`.
    public func routes(for topic: String) -> [Route] {
        routes.filter { MQTTTopic.matches(name: topic, filter: $0.topic) }
    }

    /// Errors of `mqtt.ingest` items, keyed by index: topic a valid filter, collection an existing non-view
    /// collection other than `_superusers`, each field one of the collection's and each source well-formed.
    static func errors(_ items: [JSONValue], schema: SchemaSnapshot) -> [String: ErrorData] {
        var out: [String: ErrorData] = [:]
        for (index, item) in items.enumerated() {
            var e: [String: ErrorData] = [:]
            let topic = item["topic"]?.stringValue ?? ""
            if topic.isEmpty {
                e["topic"] = .item(.required)
            } else if !MQTTTopic.isValidFilter(topic) || MQTTTopic.SharedFilter(topic) != nil {
                e["topic"] = .item(ErrorItem("validation_invalid_topic", "Must be a valid MQTT topic filter."))
            }
            let name = item["collection"]?.stringValue ?? ""
            let collection = schema.collection(name)
            if name.isEmpty {
                e["collection"] = .item(.required)
            } else if collection == nil || collection?.type == .view || collection?.id == SystemCollections.superusersID {
                e["collection"] = .item(ErrorItem("validation_invalid_collection", "Missing or not allowed collection."))
            }
            var fieldErrors: [String: ErrorData] = [:]
            for (field, value) in item["fields"]?.objectValue ?? [:] {
                if let collection, collection.field(named: field) == nil {
                    fieldErrors[field] = .item(ErrorItem("validation_unknown_field", "No such field in the collection."))
                } else if value.stringValue.flatMap(Source.init) == nil {
                    fieldErrors[field] = .item(
                        ErrorItem("validation_invalid_source", "Must be topic[N] or a JSON path starting with $."))
                }
            }
            if !fieldErrors.isEmpty { e["fields"] = .fields(fieldErrors) }
            if !e.isEmpty { out[String(index)] = .fields(e) }
        }
        return out
    }
}

extension MQTTIngestRoutes.Route {
    /// The record body for a message on `topic` with `payload`; nil when a source finds nothing (a topic level
    /// past the end, a payload that is not JSON, a path that is not there).
    public func body(topic: String, payload: [UInt8]) -> [String: JSONValue]? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        var json: JSONValue?
        var body: [String: JSONValue] = [:]
        for (field, source) in fields {
            switch source {
            case .topicLevel(let n):
                guard n < levels.count else { return nil }
                body[field] = .string(String(levels[n]))
            case .payload(let steps):
                if json == nil {
                    guard let text = String(validating: payload, as: UTF8.self), let parsed = try? JSONValue.parse(text)
                    else { return nil }
                    json = parsed
                }
                var value = json ?? .null
                for step in steps {
                    switch step {
                    case .key(let key):
                        guard let next = value[key] else { return nil }
                        value = next
                    case .index(let i):
                        guard let items = value.arrayValue, i < items.count else { return nil }
                        value = items[i]
                    }
                }
                body[field] = value
            }
        }
        return body
    }
}
