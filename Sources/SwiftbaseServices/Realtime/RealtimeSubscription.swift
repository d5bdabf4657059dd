import Foundation
import SwiftbaseCore

/// One subscription of a realtime client, as submitted: `posts/*`, `posts` (the same), `posts/RECORD_ID`, each
/// optionally followed by `?options=<url-encoded JSON {"query": {…}, "headers": {…}}>`. The submitted string is
/// also the name of the SSE events it receives. Query values become `@request.query.*` (and `filter`,
/// `expand`, `fields` apply to the events); header names are snake-cased (`X-Token` → `x_token`).
struct RealtimeSubscription: Sendable, Equatable {
    let topic: String
    let query: [String: String]
    let headers: [String: String]

    init(_ topic: String) {
        self.topic = topic
        var query: [String: String] = [:]
        var headers: [String: String] = [:]
        if let mark = topic.firstIndex(of: "?"),
            let items = URLComponents(string: "x?" + topic[topic.index(after: mark)...])?.queryItems,
            let raw = items.first(where: { $0.name == "options" })?.value,
            let options = try? JSONValue.parse(raw)
        {
            for (key, value) in options["query"]?.objectValue ?? [:] { query[key] = Self.text(value) }
            for (key, value) in options["headers"]?.objectValue ?? [:] { headers[Self.snakeCase(key)] = Self.text(value) }
        }
        self.query = query
        self.headers = headers
    }

    /// Whether this subscription is for `prefix` (`posts/*?`, `posts/ID?`, `posts?`): the `?` that ends every
    /// prefix keeps `posts` from matching `posts2`.
    func matches(_ prefix: String) -> Bool {
        (topic + "?").hasPrefix(prefix)
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        default: value.jsonString
        }
    }

    /// `X-Token` → `x_token`, `X-TOKEN` → `x_token`, `someHeader` → `some_header`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character == "-" || character == " " {
                out.append("_")
            } else if character.isUppercase {
                if let last = out.last, last.isLowercase || last.isNumber { out.append("_") }
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
