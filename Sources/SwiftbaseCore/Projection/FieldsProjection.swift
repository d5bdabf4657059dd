/// The `fields` query parameter: which keys of a JSON success response to keep.
///
/// Parse once per request, apply to each object (a record, an auth response, each list item):
///
/// ```swift
/// let spec = try FieldsProjection.parse("*,expand.author.name,body:excerpt(100,true)")
/// let projected = FieldsProjection.apply(spec, to: record)
/// ```
///
/// Semantics (PocketBase's picker):
/// - a comma list of keys; commas inside parentheses or quotes do not split; entries are trimmed and empty
///   entries ignored; an unbalanced `(` or quote is an error;
/// - a dot path keeps a nested key (`expand.author.name`); naming a key itself keeps it whole, even when
///   longer paths under it are listed too;
/// - `*` keeps every key at its level that no other entry names (`*,expand.author.email`, `rel.*`);
/// - arrays whose first element is an object are projected element by element (multi-relation expands);
///   other values under a path are kept as they are;
/// - `path:excerpt(max, withEllipsis?)` turns a string value into a plain-text excerpt (see ``Excerpt``);
///   a modifier on `*` applies to every key `*` adds;
/// - when the same path is listed twice, the last one wins; a list with no entries keeps everything.
package enum FieldsProjection {
    /// A parsed `fields` value. Cheap to copy and `Sendable`; reuse it for every item of a list.
    package struct Spec: Sendable, Equatable {
        /// Full path → what to do with the value found there.
        var paths: [String: Modifier]

        /// `true` when the list named nothing, so ``FieldsProjection/apply(_:to:)`` keeps everything.
        package var isEmpty: Bool { paths.isEmpty }
    }

    enum Modifier: Sendable, Equatable {
        case none
        case excerpt(Excerpt)

        func apply(to value: JSONValue) -> JSONValue {
            switch self {
            case .none: value
            case .excerpt(let excerpt): excerpt.apply(to: value)
            }
        }
    }

    /// Longest `fields` accepted; parsing is linear, this bounds it well below the head limit.
    static let maxLength = 8192

    struct ParseError: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Parses a raw `fields` value. Throws a 400 for an unbalanced expression or an invalid modifier.
    package static func parse(_ fields: String) throws(SwiftbaseError) -> Spec {
        guard fields.utf8.count <= maxLength else {
            throw SwiftbaseError(
                .badRequest, "Something went wrong while processing your request.",
                debugDetail: "fields: longer than \(maxLength) bytes")
        }
        do {
            return try parseSpec(fields)
        } catch {
            throw SwiftbaseError(
                .badRequest, "Something went wrong while processing your request.",
                debugDetail: "fields: \(error.reason)")
        }
    }

    /// Keeps only the listed keys of `value` (an object, or an array of objects).
    package static func apply(_ spec: Spec, to value: JSONValue) -> JSONValue {
        pick(value, spec.paths)
    }

    // MARK: - Parsing

    static func parseSpec(_ fields: String) throws(ParseError) -> Spec {
        var paths: [String: Modifier] = [:]
        for entry in try tokenize(fields, separators: [","], countingParentheses: true) {
            guard let colon = entry.firstIndex(of: ":") else {
                paths[entry] = Modifier.none
                continue
            }
            let path = String(entry[..<colon])
            paths[path] = try parseModifier(String(entry[entry.index(after: colon)...]))
        }
        return Spec(paths: paths)
    }

    /// `name(arg, arg…)`; also accepts spaces as separators, as PocketBase's tokenizer does.
    private static func parseModifier(_ text: String) throws(ParseError) -> Modifier {
        let parts = try tokenize(text, separators: ["(", ")", ",", " "], countingParentheses: false)
        guard let name = parts.first else { throw ParseError("invalid or empty modifier expression") }
        switch name {
        case "excerpt": return .excerpt(try Excerpt(arguments: Array(parts.dropFirst())))
        default: throw ParseError("missing or invalid modifier \(name)")
        }
    }

    /// PocketBase's generic tokenizer: splits on `separators` outside quotes (`"`, `'`, `` ` ``) and, when
    /// counting, outside parentheses; a character after a backslash neither opens nor closes anything;
    /// tokens are trimmed of white space that is not a separator, and empty tokens dropped. Input ends at
    /// the first NUL, as in Go's reader.
    static func tokenize(
        _ text: String, separators: Set<Unicode.Scalar>, countingParentheses: Bool
    ) throws(ParseError) -> [String] {
        let scalars = Array(text.unicodeScalars.prefix(while: { $0 != "\0" }))
        let whiteSpace: [Unicode.Scalar] = ["\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}"]
        let trimmable = Set(whiteSpace).subtracting(separators)
        var tokens: [String] = []
        var index = 0
        while index < scalars.count {
            var token = String.UnicodeScalarView()
            var depth = 0
            var quote: Unicode.Scalar?
            var previous: Unicode.Scalar?
            while index < scalars.count {
                let scalar = scalars[index]
                index += 1
                if previous != "\\" {
                    if countingParentheses, scalar == "(", quote == nil {
                        depth += 1
                    } else if countingParentheses, scalar == ")", depth > 0, quote == nil {
                        depth -= 1
                    } else if scalar == "\"" || scalar == "'" || scalar == "`" {
                        if quote == scalar {
                            quote = nil
                        } else if quote == nil {
                            quote = scalar
                        }
                    }
                }
                if separators.contains(scalar), depth == 0, quote == nil { break }
                previous = scalar
                token.append(scalar)
            }
            guard depth == 0, quote == nil else { throw ParseError("unbalanced parenthesis or quoted expression") }
            let trimmed = token.drop(while: trimmable.contains).reversed().drop(while: trimmable.contains)
            if !trimmed.isEmpty { tokens.append(String(String.UnicodeScalarView(trimmed.reversed()))) }
        }
        return tokens
    }

    // MARK: - Picking

    private static func pick(_ value: JSONValue, _ paths: [String: Modifier]) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(pickMembers(members, paths))
        case .array(let items):
            guard case .object? = items.first else { return value }  // only arrays of objects
            return .array(
                items.map { item in
                    guard case .object(let members) = item else { return item }
                    return .object(pickMembers(members, paths))
                })
        default:
            return value
        }
    }

    private static func pickMembers(_ members: [String: JSONValue], _ paths: [String: Modifier]) -> [String: JSONValue]
    {
        guard !paths.isEmpty else { return members }
        var paths = paths
        if let wildcard = paths["*"] {
            for key in members.keys where !paths.keys.contains(where: { isPath($0, under: key) }) {
                paths[key] = wildcard
            }
        }
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            var remaining: [String: Modifier] = [:]
            var exact: Modifier?
            var matched = false
            for (path, modifier) in paths where isPath(path, under: key) {
                matched = true
                // "path." minus "key." minus the final "." (so `key` and `key.` both name the key itself)
                let rest = (path + ".").utf8.dropFirst(key.utf8.count + 1).dropLast()
                if rest.isEmpty {
                    exact = modifier
                    break
                }
                remaining[String(decoding: rest, as: UTF8.self)] = modifier
            }
            guard matched else { continue }
            if let exact {
                result[key] = exact.apply(to: value)
            } else {
                result[key] = pick(value, remaining)
            }
        }
        return result
    }

    /// Whether `path` is `key` or starts with `key.` (byte-wise).
    private static func isPath(_ path: String, under key: String) -> Bool {
        let pathBytes = path.utf8
        let keyBytes = key.utf8
        guard pathBytes.starts(with: keyBytes) else { return false }
        let rest = pathBytes.dropFirst(keyBytes.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ".")
    }
}
