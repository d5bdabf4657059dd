/// One lexical token of the filter language, with the byte offset it starts at (for error details).
struct FilterToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        /// An identifier immediately followed by `(`; the `(` is consumed with it.
        case functionStart(String)
        case text(String)
        case number(String)
        case comparisonOperator(FilterOperator)
        case and
        case or
        case leftParen
        case rightParen
        case comma
        case end
    }

    var kind: Kind
    var offset: Int
}

/// Splits filter text into tokens, working on UTF-8 bytes.
///
/// The lexical rules are PocketBase's (its `fexpr` scanner):
/// - whitespace is space, tab and newline only (a carriage return is an error);
/// - `//` starts a comment to the end of the line; a lone `/` is an error;
/// - strings use `'` or `"`, and a backslash escapes the byte after it, pairwise from the left: `\\` is a
///   backslash, `\n`, `\t` and `\r` are a line feed, a tab and a carriage return, `\'` and `\"` are the
///   quote (in either kind of string), and any other escape is kept as written (`\x41`, `\u0041`, `\%`
///   stay two or more characters). A quote ends the string unless escaped, so `'a\\'` is `a\` (fexpr 0.6,
///   PocketBase 0.40: what the JS SDK's `pb.filter()` writes, JSON string syntax, reads back as meant);
/// - numbers are digits with at most one `.` and an optional leading `-`; `-`, `1.` and `-.` are errors;
/// - identifiers start with an ASCII letter, `_`, `@` or `#`, continue with letters, digits, `_`, `.`
///   and `:`, must not end in `.` or `:` and must not be a lone `_`, `@` or `#`;
/// - an identifier directly followed by `(` (no space) starts a function call;
/// - operator characters (`=?!<>~`) and join characters (`&|`) are read greedily, then validated,
///   so `=!` is an invalid operator rather than `=` followed by `!`.
struct FilterLexer {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The next token, skipping whitespace and comments. Returns `.end` forever once exhausted.
    mutating func next() throws(SwiftbaseError) -> FilterToken {
        try skipTrivia()
        let start = position
        guard position < bytes.count else { return FilterToken(kind: .end, offset: start) }
        let byte = bytes[position]
        let kind: FilterToken.Kind
        switch byte {
        case UInt8(ascii: "("):
            position += 1
            kind = .leftParen
        case UInt8(ascii: ")"):
            position += 1
            kind = .rightParen
        case UInt8(ascii: ","):
            position += 1
            kind = .comma
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            kind = .text(try scanText())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = .number(try scanNumber())
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            kind = try scanJoin()
        default:
            if Self.isIdentifierStart(byte) {
                kind = try scanIdentifier()
            } else if Self.isOperatorByte(byte) {
                kind = .comparisonOperator(try scanOperator())
            } else {
                throw .invalidFilter("unexpected character at offset \(start)")
            }
        }
        return FilterToken(kind: kind, offset: start)
    }

    // MARK: - Scanners

    private mutating func skipTrivia() throws(SwiftbaseError) {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                position += 1
            case UInt8(ascii: "/"):
                guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") else {
                    throw .invalidFilter("invalid comment at offset \(position)")
                }
                position += 2
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            default:
                return
            }
        }
    }

    private mutating func scanText() throws(SwiftbaseError) -> String {
        let start = position
        let quote = bytes[position]
        position += 1
        let contentStart = position
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 2
                continue
            }
            if byte == quote {
                let content = bytes[contentStart..<position]
                position += 1
                return hasEscapes ? Self.unescape(content) : String(decoding: content, as: UTF8.self)
            }
            position += 1
        }
        throw .invalidFilter("unterminated string starting at offset \(start)")
    }

    /// The escapes the language knows, decoded left to right; any other backslash pair is kept as written.
    private static func unescape(_ content: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = content.startIndex
        while index < content.endIndex {
            let byte = content[index]
            let nextIndex = content.index(after: index)
            guard byte == UInt8(ascii: "\\"), nextIndex < content.endIndex else {
                out.append(byte)
                index = nextIndex
                continue
            }
            let escapedByte = content[nextIndex]
            switch escapedByte {
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(escapedByte)
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
            default:
                out.append(byte)
                out.append(escapedByte)
            }
            index = content.index(after: nextIndex)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func scanNumber() throws(SwiftbaseError) -> String {
        let start = position
        var hadDot = false
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isDigit(byte) || (byte == UInt8(ascii: "-") && position == start) {
                position += 1
            } else if byte == UInt8(ascii: "."), !hadDot {
                hadDot = true
                position += 1
            } else {
                break
            }
        }
        let literal = bytes[start..<position]
        if literal.count == 1 && literal.first == UInt8(ascii: "-") || literal.last == UInt8(ascii: ".") {
            throw .invalidFilter("invalid number at offset \(start)")
        }
        return String(decoding: literal, as: UTF8.self)
    }

    private mutating func scanIdentifier() throws(SwiftbaseError) -> FilterToken.Kind {
        let start = position
        position += 1
        while position < bytes.count, Self.isIdentifierContinuation(bytes[position]) { position += 1 }
        let literal = bytes[start..<position]
        let name = String(decoding: literal, as: UTF8.self)
        guard Self.isValidIdentifier(literal) else {
            throw .invalidFilter("invalid identifier at offset \(start)")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "(") {
            position += 1
            return .functionStart(name)
        }
        return .identifier(name)
    }

    private mutating func scanOperator() throws(SwiftbaseError) -> FilterOperator {
        let start = position
        while position < bytes.count, Self.isOperatorByte(bytes[position]) { position += 1 }
        let literal = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let op = FilterOperator(rawValue: literal) else {
            throw .invalidFilter("invalid operator at offset \(start)")
        }
        return op
    }

    private mutating func scanJoin() throws(SwiftbaseError) -> FilterToken.Kind {
        let start = position
        while position < bytes.count, bytes[position] == UInt8(ascii: "&") || bytes[position] == UInt8(ascii: "|") {
            position += 1
        }
        switch String(decoding: bytes[start..<position], as: UTF8.self) {
        case "&&": return .and
        case "||": return .or
        default: throw .invalidFilter("invalid join operator at offset \(start)")
        }
    }

    // MARK: - Character classes

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "#")
    }

    static func isIdentifierContinuation(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":")
    }

    static func isOperatorByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func isValidIdentifier(_ literal: ArraySlice<UInt8>) -> Bool {
        guard let last = literal.last, let first = literal.first else { return false }
        if last == UInt8(ascii: ".") || last == UInt8(ascii: ":") { return false }
        if literal.count == 1, first == UInt8(ascii: "_") || first == UInt8(ascii: "@") || first == UInt8(ascii: "#") {
            return false
        }
        return true
    }
}
