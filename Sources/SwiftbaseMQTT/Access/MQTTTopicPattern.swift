public import SwiftbaseCore

/// An ACL entry's topic: a topic filter that may hold placeholders of the connected identity — `{auth.id}`,
/// `{auth.collectionName}`, or any `{auth.<field>}` of the auth record — filled in per client, as Mosquitto's
/// `pattern` lines fill in `%u` / `%c`.
///
/// A placeholder the identity cannot fill (a guest or an API key, a missing or empty field, a value holding `/`,
/// `+`, `#` or U+0000) makes the entry match nothing for that client, so no value can widen a pattern.
public struct MQTTTopicPattern: Sendable, Hashable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// Whether `text` is a valid pattern: a valid topic filter once every placeholder is replaced by a plain level
    /// text, with every `{` closed and naming `auth.<something>`.
    public static func problem(in text: String) -> String? {
        let expanded: String?
        do {
            expanded = try expand(text) { _ in "x" }
        } catch {
            return "Placeholders are written {auth.id}, {auth.collectionName} or {auth.<field>}."
        }
        guard let expanded, MQTTTopic.isValidFilter(expanded), MQTTTopic.SharedFilter(expanded) == nil else {
            return "Must be a valid MQTT topic filter (+ and # as whole levels, # last)."
        }
        return nil
    }

    /// The filter for `identity`; nil when a placeholder cannot be filled.
    public func filter(for identity: AuthContext) -> String? {
        guard text.contains("{") else { return text }
        let record = identity.apiKey == nil ? identity.record : nil
        return try? Self.expand(text) { name in
            guard let record else { return nil }
            let value: String?
            switch name {
            case "id": value = record.id
            case "collectionName": value = record.collectionName
            case "collectionId": value = record.collectionId
            default:
                switch record.values[name] {
                case .string(let s)?: value = s
                case .number(let n)?: value = n.rounded() == n && n.magnitude < 1e15 ? String(Int64(n)) : String(n)
                case .bool(let b)?: value = String(b)
                default: value = nil
                }
            }
            guard let value, !value.isEmpty, !value.contains(where: { "/+#\u{0}".contains($0) }) else { return nil }
            return value
        } ?? nil
    }

    struct Malformed: Error {}

    /// Replaces each `{auth.NAME}` by `value(NAME)`; nil when a value is nil; throws on a malformed placeholder.
    static func expand(_ text: String, _ value: (String) -> String?) throws(Malformed) -> String? {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw Malformed() }
            let inside = rest[rest.index(after: open)..<close]
            guard inside.hasPrefix("auth."), inside.count > 5, !inside.contains("{") else { throw Malformed() }
            guard let filled = value(String(inside.dropFirst(5))) else { return nil }
            out += filled
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { throw Malformed() }
        return out + rest
    }
}

extension MQTTTopic {
    /// Whether every topic `requested` matches is matched by `granted` too (both plain filters), decided level by
    /// level: a granted `#` covers the rest (and the parent level, as `a/#` matches `a`); a granted `+` covers one
    /// level of anything but `#`; a literal level covers only itself. A granted wildcard at the first level does
    /// not cover a requested first level starting with `$`, as it would not match such topics (§4.7.2).
    /// For a topic name (no wildcards) this is `matches(name:filter:)`.
    public static func covers(_ granted: String, _ requested: String) -> Bool {
        let g = levels(granted)
        let r = levels(requested)
        let hash: [UInt8] = [UInt8(ascii: "#")]
        let plus: [UInt8] = [UInt8(ascii: "+")]
        if let first = r.first, first.first == UInt8(ascii: "$"), let top = g.first, top == hash || top == plus {
            return false
        }
        for (i, level) in g.enumerated() {
            if level == hash { return true }
            guard i < r.count else { return false }
            if level == plus {
                if r[i] == hash { return false }
                continue
            }
            if level != r[i] { return false }
        }
        return r.count == g.count
    }
}
