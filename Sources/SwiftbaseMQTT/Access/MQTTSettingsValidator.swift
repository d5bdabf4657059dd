public import SwiftbaseCore

/// Checks the `mqtt` section of a settings document before it is saved, into PocketBase's field-level error shape
/// (`{"mqtt": {"acl": {"0": {"topic": {code, message}}}}}`): each ACL entry needs a valid topic pattern (see
/// `MQTTTopicPattern`), and its `publish` / `subscribe` rules must compile as rules over `@request.*` (a field
/// name alone means nothing without a record: `validation_invalid_rule`).
public enum MQTTSettingsValidator {
    /// Errors keyed by settings section (`mqtt`), for `SettingsService.addValidator`.
    public static func errors(_ settings: JSONValue, schema: SchemaSnapshot) -> [String: ErrorData] {
        var mqtt: [String: ErrorData] = [:]
        let acl = aclErrors(settings["mqtt"]?["acl"]?.arrayValue ?? [], schema: schema)
        if !acl.isEmpty { mqtt["acl"] = .fields(acl) }
        let ingest = MQTTIngestRoutes.errors(settings["mqtt"]?["ingest"]?.arrayValue ?? [], schema: schema)
        if !ingest.isEmpty { mqtt["ingest"] = .fields(ingest) }
        if let problem = keepAliveProblem(settings["mqtt"]?["maxKeepAlive"]?.doubleValue ?? 0) {
            mqtt["maxKeepAlive"] = .item(problem)
        }
        return mqtt.isEmpty ? [:] : ["mqtt": .fields(mqtt)]
    }

    /// `maxKeepAlive`: 0 (what the client asks), or 10 … 65,535 seconds (Mosquitto's `max_keepalive` range: a
    /// shorter one has devices pinging more than they send).
    static func keepAliveProblem(_ seconds: Double) -> ErrorItem? {
        if seconds == 0 { return nil }
        if seconds < 10 {
            return ErrorItem(
                "validation_min_greater_equal_than_required", "Must be 0 or no less than 10.",
                params: ["threshold": .number(10)])
        }
        if seconds > 65_535 { return .maxNumber(65_535) }
        return nil
    }

    static func aclErrors(_ entries: [JSONValue], schema: SchemaSnapshot) -> [String: ErrorData] {
        var out: [String: ErrorData] = [:]
        for (index, entry) in entries.enumerated() {
            var e: [String: ErrorData] = [:]
            let topic = entry["topic"]?.stringValue ?? ""
            if topic.isEmpty {
                e["topic"] = .item(.required)
            } else if let problem = MQTTTopicPattern.problem(in: topic) {
                e["topic"] = .item(ErrorItem("validation_invalid_topic", problem))
            }
            for key in ["publish", "subscribe"] {
                guard let rule = entry[key]?.stringValue, !rule.allSatisfy(\.isWhitespace) else { continue }
                if let problem = RecordService.requestRuleProblem(rule, schema: schema) { e[key] = .item(problem) }
            }
            if !e.isEmpty { out[String(index)] = .fields(e) }
        }
        return out
    }
}
