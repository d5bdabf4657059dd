/// The `:excerpt(max, withEllipsis?)` field modifier: the plain text of an HTML string, truncated.
///
/// As PocketBase's modifier does, it drops non-content elements (`script`, `style`, `img`, `form`,
/// `button`, `svg`…) with everything inside them, puts one space around block elements (anything not in
/// a short list of inline tags), collapses white space runs to one space, trims, and then keeps the first
/// `max` characters (Unicode scalars), appending `...` when `withEllipsis` is set and text was cut.
/// Non-string values pass through unchanged (an excerpt of a missing expand is not an error).
///
/// ```swift
/// let excerpt = try Excerpt(arguments: ["5", "true"])
/// excerpt.apply(to: "<p>Hello</p><p>world</p>")  // "Hello..."
/// ```
package struct Excerpt: Sendable, Equatable {
    package var max: Int
    package var withEllipsis: Bool

    package init(max: Int, withEllipsis: Bool) {
        self.max = max
        self.withEllipsis = withEllipsis
    }

    /// Reads the modifier's raw arguments as PocketBase does: `max` as a Go integer literal (`"12"`,
    /// `"12.0"`, `"0x10"`; anything unreadable counts as 0) that must be positive; `withEllipsis` as a Go
    /// boolean (`1`, `t`, `true`, `TRUE`…; anything else is false).
    init(arguments: [String]) throws(FieldsProjection.ParseError) {
        guard !arguments.isEmpty else {
            throw .init("excerpt: max argument is required - expected (max, withEllipsis?)")
        }
        guard arguments.count <= 2 else { throw .init("excerpt: too many arguments - expected (max, withEllipsis?)") }
        let max = Self.goInteger(arguments[0]) ?? 0
        guard max > 0 else { throw .init("excerpt: max argument must be > 0") }
        self.max = max
        self.withEllipsis = arguments.count > 1 && Self.goBool(arguments[1])
    }

    package func apply(to value: JSONValue) -> JSONValue {
        guard case .string(let html) = value else { return value }
        return .string(apply(toHTML: html))
    }

    package func apply(toHTML html: String) -> String {
        var collector = TextCollector(limit: max)
        collector.strip(.element("#document", children: [HTMLFragment(parsing: html).document]))
        var result = GoText.trimSpace(collector.text)
        guard result.utf8.count > max else { return result }
        let scalars = result.unicodeScalars
        guard scalars.count > max else { return result }
        result = GoText.trimSpace(String(String.UnicodeScalarView(scalars.prefix(max))))
        return withEllipsis ? result + "..." : result
    }

    // MARK: - Go-compatible argument parsing

    /// `strconv.ParseInt(s, 0, 64)` after dropping a zero fraction (`"12.00"` → `"12"`).
    static func goInteger(_ raw: String) -> Int? {
        var text = Substring(raw)
        // a trailing ".0…0" fraction is ignored
        if let dot = text.lastIndex(of: "."), text[text.index(after: dot)...].allSatisfy({ $0 == "0" }),
            text.index(after: dot) < text.endIndex
        {
            text = text[..<dot]
        }
        var negative = false
        if let sign = text.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        guard !text.isEmpty else { return nil }
        var radix = 10
        if text.first == "0" {
            let second = text.dropFirst().first?.lowercased()
            if text.count >= 3, second == "x" {
                radix = 16
                text = text.dropFirst(2)
            } else if text.count >= 3, second == "o" {
                radix = 8
                text = text.dropFirst(2)
            } else if text.count >= 3, second == "b" {
                radix = 2
                text = text.dropFirst(2)
            } else {
                radix = 8
                text = text.dropFirst()
                if text.isEmpty { return 0 }
            }
        }
        guard text.allSatisfy({ $0.isASCII && $0.isHexDigit }), let magnitude = Int(text, radix: radix) else {
            return nil
        }
        return negative ? -magnitude : magnitude
    }

    /// `strconv.ParseBool`, with errors read as `false`.
    static func goBool(_ raw: String) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(raw)
    }
}

// MARK: - Text extraction

extension Excerpt {
    static let excludedElements: Set<String> = [
        "head", "style", "script", "iframe", "embed", "applet", "object", "svg", "img", "picture", "dialog",
        "template", "button", "form", "textarea", "input", "select", "option",
    ]
    static let inlineElements: Set<String> = [
        "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "em", "i", "label", "q", "small",
        "span", "strong", "strike", "sub", "sup", "time",
    ]

    /// Walks the tree as PocketBase's excerpt does, including its early stop: once more than `limit + 2`
    /// bytes are collected, an element's children are no longer visited.
    private struct TextCollector {
        let limit: Int
        var text = ""
        var hasPreviousSpace = false

        init(limit: Int) {
            self.limit = limit
        }

        mutating func strip(_ node: HTMLFragment.Node) {
            let children: [HTMLFragment.Node]
            switch node {
            case .text(let raw):
                var collapsed = Self.collapseWhiteSpace(raw)
                if hasPreviousSpace { collapsed = String(collapsed.drop(while: { $0 == " " })) }
                if !collapsed.isEmpty {
                    hasPreviousSpace = collapsed.hasSuffix(" ")
                    text += collapsed
                }
                children = []
            case .element(_, let elementChildren):
                children = elementChildren
            }
            let count = text.utf8.count
            if count > limit, count - limit > 2 { return }

            for child in children {
                var isBlock = false
                if case .element(let name, _) = child {
                    if Excerpt.excludedElements.contains(name) { continue }
                    isBlock = !Excerpt.inlineElements.contains(name)
                }
                if isBlock, !hasPreviousSpace {
                    text += " "
                    hasPreviousSpace = true
                }
                strip(child)
                if isBlock, !hasPreviousSpace {
                    text += " "
                    hasPreviousSpace = true
                }
            }
        }

        /// Runs of `[\t\n\f\r ]` (Go regexp's `\s`) become one space.
        static func collapseWhiteSpace(_ raw: String) -> String {
            var out = String.UnicodeScalarView()
            var inRun = false
            for scalar in raw.unicodeScalars {
                switch scalar {
                case "\t", "\n", "\u{0C}", "\r", " ":
                    if !inRun { out.append(" ") }
                    inRun = true
                default:
                    out.append(scalar)
                    inRun = false
                }
            }
            return String(out)
        }
    }
}
