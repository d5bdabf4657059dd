import Foundation
import SwiftbaseCore

/// One subscription of a realtime client, as submitted: `posts/*`, `posts` (the same), `posts/RECORD_ID`, each
/// optionally followed by `?options=<url-encoded JSON {"query": {…}, "headers": {…}}>`. The submitted string is
/// also the name of the SSE events it receives. Query values become `@request.query.*` (and `filter`,
/// `expand`, `fields` apply to the events); header names are snake-cased (`X-Token` → `x_token`).
struct RealtimeSubscription: Sendable, Equatable {
    let topic: String
    /// `topic` + `?`, what `matches` compares.
    private let key: String
    let query: [String: String]
    let headers: [String: String]

    init(_ topic: String) {
        self.topic = topic
        self.key = topic + "?"
        var query: [String: String] = [:]
        var headers: [String: String] = [:]
        if let mark = topic.firstIndex(of: "?"), let raw = Self.queryValue("options", in: topic[topic.index(after: mark)...]),
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
        key.hasPrefix(prefix)
    }

    /// The first value of `name` in a query string, percent- and `+`-decoded. Written out rather than left to
    /// `URLComponents`, which refuses the raw UTF-8 that PocketBase (Go's `url.Parse`) accepts.
    static func queryValue(_ name: String, in query: Substring) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].removingPercentEscapes(plusAsSpace: true) == name
            else { continue }
            return parts[1].removingPercentEscapes(plusAsSpace: true)
        }
        return nil
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
