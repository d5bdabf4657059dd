/// A small HTML reader for the `:excerpt` modifier: enough of the HTML5 tokenizer and tree builder to
/// give the same text, and the same element nesting for ordinary markup, as the parser PocketBase uses.
///
/// It understands tags with attributes (quoted `>` included), comments, doctypes and other bogus
/// comments, raw-text elements (`script`, `style`, `iframe`, `xmp`, `noembed`, `noframes`, `noscript`),
/// escapable raw text (`title`, `textarea`), `plaintext`, void elements, character references (numeric,
/// and the common named ones), and the head/body split of a document (leading `title`, `style`, `meta`…
/// land in `head`). It does not reproduce HTML5's error recovery (implicit `p`/`li` closing, table foster
/// parenting, formatting-element adoption); those only change the nesting, not the text.
struct HTMLFragment {
    indirect enum Node: Equatable {
        case text(String)
        case element(String, children: [Node])
    }

    /// The document element: `html` holding an (always dropped) `head` and the `body`.
    var document: Node

    init(parsing html: String) {
        var builder = TreeBuilder()
        var tokenizer = Tokenizer(html)
        while let token = tokenizer.next() {
            builder.consume(token)
        }
        document = .element("html", children: [.element("head", children: []), builder.finish()])
    }
}

// MARK: - Tokens

extension HTMLFragment {
    enum Token: Equatable {
        case text(String)
        case startTag(String)
        case endTag(String)
    }

    static let voidElements: Set<String> = [
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input",
        "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]
    static let rawTextElements: Set<String> = [
        "script", "style", "iframe", "xmp", "noembed", "noframes", "noscript",
    ]
    static let escapableRawTextElements: Set<String> = ["title", "textarea"]

    struct Tokenizer {
        private let scalars: [Unicode.Scalar]
        private var index = 0
        private var pending: [Token] = []
        private var finished = false

        init(_ html: String) {
            // Normalize newlines as the HTML input stream does.
            var normalized: [Unicode.Scalar] = []
            normalized.reserveCapacity(html.unicodeScalars.count)
            var previousWasCR = false
            for scalar in html.unicodeScalars {
                if scalar == "\r" {
                    normalized.append("\n")
                    previousWasCR = true
                    continue
                }
                if scalar == "\n", previousWasCR {
                    previousWasCR = false
                    continue
                }
                previousWasCR = false
                normalized.append(scalar)
            }
            scalars = normalized
        }

        mutating func next() -> Token? {
            if !pending.isEmpty { return pending.removeFirst() }
            guard !finished, index < scalars.count else { return nil }
            var text = String.UnicodeScalarView()
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "<", let markup = readMarkup() {
                    if markup.isEmpty { continue }  // comment, doctype, `</>`
                    if !text.isEmpty {
                        pending.append(contentsOf: markup)
                        return .text(String(text))
                    }
                    pending.append(contentsOf: markup.dropFirst())
                    return markup[0]
                }
                if finished { break }
                if scalar == "&" {
                    index += 1
                    text.append(contentsOf: HTMLEntities.decodeReference(scalars[...], at: &index))
                    continue
                }
                if scalar != "\0" { text.append(scalar) }
                index += 1
            }
            return text.isEmpty ? nil : .text(String(text))
        }

        /// At a `<`: the tokens it starts (possibly none), or `nil` if the `<` is plain text.
        /// Sets `finished` when the input ends inside a tag (HTML drops such a tag and stops).
        private mutating func readMarkup() -> [Token]? {
            let next = peek(1)
            if let next, isASCIILetter(next) {
                index += 1
                guard let name = readTag() else { return [] }
                return [.startTag(name)] + readElementContent(of: name)
            }
            if next == "/" {
                guard let after = peek(2) else { return nil }  // "</" at the end is text
                if isASCIILetter(after) {
                    index += 2
                    guard let name = readTag() else { return [] }
                    return [.endTag(name)]
                }
                if after == ">" {
                    index += 3
                    return []
                }
                skipBogusComment(from: index + 2)
                return []
            }
            if next == "!" {
                if peek(2) == "-", peek(3) == "-" {
                    skipComment(from: index + 4)
                } else {
                    skipBogusComment(from: index + 2)
                }
                return []
            }
            if next == "?" {
                skipBogusComment(from: index + 1)
                return []
            }
            return nil
        }

        /// Reads a tag name and its attributes up to `>`; `nil` (and `finished`) if the input ends first.
        private mutating func readTag() -> String? {
            var name = ""
            while let scalar = peek(0), !isTagSpace(scalar), scalar != "/", scalar != ">" {
                name.unicodeScalars.append(lowercased(scalar))
                index += 1
            }
            // Attributes: only their extent matters.
            while let scalar = peek(0) {
                switch scalar {
                case ">":
                    index += 1
                    return name
                case "\"", "'":
                    // a quote can only start a value here after `=`; handled below, so this is a name char
                    index += 1
                case "=":
                    index += 1
                    while let space = peek(0), isTagSpace(space) { index += 1 }
                    if let quote = peek(0), quote == "\"" || quote == "'" {
                        index += 1
                        while let inner = peek(0), inner != quote { index += 1 }
                        guard peek(0) != nil else { break }
                        index += 1
                    }
                default:
                    index += 1
                }
            }
            finished = true
            index = scalars.count
            return nil
        }

        /// For raw-text and escapable raw-text elements: their content as one text token plus the end tag.
        private mutating func readElementContent(of name: String) -> [Token] {
            let escapable = HTMLFragment.escapableRawTextElements.contains(name)
            if name == "plaintext" {
                let text = String(String.UnicodeScalarView(scalars[index...]))
                index = scalars.count
                return text.isEmpty ? [] : [.text(text)]
            }
            guard escapable || HTMLFragment.rawTextElements.contains(name) else { return [] }
            let start = index
            var cursor = index
            while cursor < scalars.count {
                if scalars[cursor] == "<", cursor + 1 < scalars.count, scalars[cursor + 1] == "/",
                    matchesName(name, at: cursor + 2)
                {
                    let after = cursor + 2 + name.unicodeScalars.count
                    if after >= scalars.count || isTagSpace(scalars[after]) || scalars[after] == "/"
                        || scalars[after] == ">"
                    {
                        break
                    }
                }
                cursor += 1
            }
            var tokens: [Token] = []
            var content = String.UnicodeScalarView()
            var position = start
            while position < cursor {
                if escapable, scalars[position] == "&" {
                    position += 1
                    content.append(contentsOf: HTMLEntities.decodeReference(scalars[..<cursor], at: &position))
                } else {
                    content.append(scalars[position])
                    position += 1
                }
            }
            if !content.isEmpty { tokens.append(.text(String(content))) }
            index = cursor
            if cursor < scalars.count {
                index = cursor + 2
                if let end = readTag() { tokens.append(.endTag(end)) }
            }
            return tokens
        }

        private mutating func skipComment(from start: Int) {
            // `<!-->` and `<!--->` are complete (empty) comments.
            if peekAbsolute(start) == ">" {
                index = start + 1
                return
            }
            if peekAbsolute(start) == "-", peekAbsolute(start + 1) == ">" {
                index = start + 2
                return
            }
            var cursor = start
            while cursor < scalars.count {
                if scalars[cursor] == "-", peekAbsolute(cursor + 1) == "-" {
                    if peekAbsolute(cursor + 2) == ">" {
                        index = cursor + 3
                        return
                    }
                    if peekAbsolute(cursor + 2) == "!", peekAbsolute(cursor + 3) == ">" {
                        index = cursor + 4
                        return
                    }
                }
                cursor += 1
            }
            index = scalars.count
        }

        private mutating func skipBogusComment(from start: Int) {
            var cursor = start
            while cursor < scalars.count, scalars[cursor] != ">" { cursor += 1 }
            index = min(cursor + 1, scalars.count)
        }

        private func matchesName(_ name: String, at start: Int) -> Bool {
            var cursor = start
            for expected in name.unicodeScalars {
                guard cursor < scalars.count, lowercased(scalars[cursor]) == expected else { return false }
                cursor += 1
            }
            return true
        }

        private func peek(_ offset: Int) -> Unicode.Scalar? { peekAbsolute(index + offset) }

        private func peekAbsolute(_ position: Int) -> Unicode.Scalar? {
            position < scalars.count ? scalars[position] : nil
        }

        private func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }

        private func isTagSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\u{0C}"
        }

        private func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }
    }
}

// MARK: - Tree

extension HTMLFragment {
    /// Builds the body's subtree; content that belongs in `head` before the body starts is dropped.
    struct TreeBuilder {
        private static let headElements: Set<String> = [
            "base", "basefont", "bgsound", "link", "meta", "title", "noscript", "noframes", "style", "script",
        ]

        static let maxDepth = 512

        private var inBody = false
        private var droppingHeadElement: String?
        private var stack: [(name: String, children: [Node])] = [("body", [])]

        mutating func consume(_ token: Token) {
            if !inBody, consumeInHead(token) { return }
            switch token {
            case .text(let text):
                appendText(text)
            case .startTag(let name):
                switch name {
                case "html", "head", "body": return
                case _ where HTMLFragment.voidElements.contains(name) || stack.count >= Self.maxDepth:
                    // (past `maxDepth` elements are kept childless so deep input cannot exhaust the stack)
                    stack[stack.count - 1].children.append(.element(name == "image" ? "img" : name, children: []))
                default:
                    stack.append((name, []))
                }
            case .endTag(let name):
                switch name {
                case "html", "head", "body":
                    return
                case "br":
                    stack[stack.count - 1].children.append(.element("br", children: []))
                    return
                case "p" where !stack.contains(where: { $0.name == "p" }):
                    stack[stack.count - 1].children.append(.element("p", children: []))
                    return
                default:
                    guard let open = stack.lastIndex(where: { $0.name == name }), open > 0 else { return }
                    while stack.count > open { closeTop() }
                }
            }
        }

        mutating func finish() -> Node {
            while stack.count > 1 { closeTop() }
            return .element("body", children: stack[0].children)
        }

        /// Head-phase handling; `false` when the token starts the body (and must be processed there).
        private mutating func consumeInHead(_ token: Token) -> Bool {
            if let dropping = droppingHeadElement {
                if case .endTag(dropping) = token { droppingHeadElement = nil }
                return true
            }
            switch token {
            case .text(let text):
                let content = text.unicodeScalars.drop(while: { " \t\n\u{0C}".unicodeScalars.contains($0) })
                if content.isEmpty { return true }
                inBody = true
                appendText(String(String.UnicodeScalarView(content)))
                return true
            case .startTag(let name) where Self.headElements.contains(name):
                if !HTMLFragment.voidElements.contains(name) { droppingHeadElement = name }
                return true
            case .startTag("html"), .startTag("head"), .endTag("head"), .endTag("html"):
                return true
            case .startTag("body"):
                inBody = true
                return true
            default:
                inBody = true
                return false
            }
        }

        private mutating func appendText(_ text: String) {
            if case .text(let previous)? = stack[stack.count - 1].children.last {
                stack[stack.count - 1].children[stack[stack.count - 1].children.count - 1] = .text(previous + text)
            } else {
                stack[stack.count - 1].children.append(.text(text))
            }
        }

        private mutating func closeTop() {
            let closed = stack.removeLast()
            stack[stack.count - 1].children.append(.element(closed.name, children: closed.children))
        }
    }
}
