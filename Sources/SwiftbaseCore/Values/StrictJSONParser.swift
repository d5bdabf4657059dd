/// A JSON reader that is as strict as Go's `encoding/json/v2` defaults, which PocketBase 0.40 uses for
/// request bodies: RFC 8259 grammar, valid UTF-8 only (no lone surrogate escapes), no duplicate object
/// names, finite numbers.
///
/// It reads one value from the start of the input and reports where it ended, so the caller decides what
/// trailing bytes mean. Nesting is capped at ``maxDepth`` so hostile input cannot exhaust the stack.
package struct StrictJSONParser {
    package struct Failure: Error, Equatable {
        package var reason: String
        package var offset: Int
    }

    package static let maxDepth = 512

    private let bytes: [UInt8]
    package private(set) var position = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A reader that starts at `position` (a value inside a larger body read by another scanner).
    package init(_ bytes: [UInt8], at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// Parses the whole input as exactly one value (surrounding whitespace allowed).
    package static func parseDocument(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var parser = StrictJSONParser(bytes)
        let value = try parser.parseLeadingValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("trailing data") }
        return value
    }

    /// One member of an object read by ``objectMembers(_:)``: its name, and where its value's bytes are.
    package struct Member: Equatable {
        package var name: String
        package var value: Range<Int>
    }

    /// The members of the object that is the whole input, in order, each value checked as ``parseDocument(_:)``
    /// checks it but not built: for a caller that passes a value on as the bytes it was sent as (a function's HTTP
    /// body), where building it only to write it again cost more than the rest of the answer (perf, release).
    /// Nil when the input is valid JSON but not an object; throws where `parseDocument` throws.
    package static func objectMembers(_ bytes: [UInt8]) throws(Failure) -> [Member]? {
        var parser = StrictJSONParser(bytes)
        parser.skipWhitespace()
        guard parser.peek() == UInt8(ascii: "{") else {
            _ = try parseDocument(bytes)
            return nil
        }
        var members: [Member] = []
        try parser.checkObject(depth: 1) { name, value in members.append(Member(name: name, value: value)) }
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("trailing data") }
        return members
    }

    /// Parses the first value after optional whitespace; ``position`` is then just past it.
    package mutating func parseLeadingValue() throws(Failure) -> JSONValue {
        skipWhitespace()
        return try parseValue(depth: 0)
    }

    // MARK: - Grammar

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nesting too deep") }
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected object name") }
            let nameOffset = position
            let name = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // Swift compares strings by canonical equivalence, so NFC/NFD spellings of one name also
            // count as duplicates here (Go compares bytes); a dictionary could not keep both anyway.
            guard members.updateValue(value, forKey: name) == nil else {
                throw Failure(reason: "duplicate object name", offset: nameOffset)
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nesting too deep") }
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    // MARK: - Checking without building

    /// `parseValue`'s grammar and limits, building nothing.
    private mutating func checkValue(depth: Int) throws(Failure) {
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try checkObject(depth: depth + 1) { _, _ in }
        case UInt8(ascii: "["): try checkArray(depth: depth + 1)
        case UInt8(ascii: "\""): try checkString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try checkNumber()
        default: throw failure("unexpected character")
        }
    }

    /// `parseObject`'s grammar and limits (duplicate names included), handing each member's name and value bytes
    /// to `member`.
    private mutating func checkObject(depth: Int, member: (String, Range<Int>) -> Void) throws(Failure) {
        guard depth <= Self.maxDepth else { throw failure("nesting too deep") }
        position += 1  // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        var names = Set<String>()
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected object name") }
            let nameOffset = position
            let name = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            skipWhitespace()
            let start = position
            try checkValue(depth: depth)
            guard names.insert(name).inserted else { throw Failure(reason: "duplicate object name", offset: nameOffset) }
            member(name, start..<position)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func checkArray(depth: Int) throws(Failure) {
        guard depth <= Self.maxDepth else { throw failure("nesting too deep") }
        position += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            try checkValue(depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    /// `parseString`'s grammar without unescaping. The bytes between the quotes are checked as UTF-8 as sent, escapes
    /// and all: an escape is ASCII and decodes to whole characters, so the sent bytes are UTF-8 exactly when the
    /// unescaped ones are. All-ASCII text (most of it) needs no check.
    private mutating func checkString() throws(Failure) {
        position += 1  // opening quote
        let start = position
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                if !ascii, String(validating: bytes[start..<position], as: UTF8.self) == nil {
                    throw Failure(reason: "invalid UTF-8 in string", offset: start)
                }
                position += 1
                return
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw failure("unexpected end of input") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"): _ = try parseUnicodeEscape()
                default: throw Failure(reason: "invalid escape", offset: position - 2)
                }
            default:
                if byte < 0x20 { throw failure("control character in string") }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
        }
        throw failure("unterminated string")
    }

    /// `parseNumber`'s grammar and range check. A number without an exponent and with at most 308 digits before its
    /// point is below `Double.greatestFiniteMagnitude` (about 1.8e308), so only the others are converted.
    private mutating func checkNumber() throws(Failure) {
        let (text, integerDigits, hasExponent) = try scanNumber()
        guard hasExponent || integerDigits > 308 else { return }
        guard let value = Double(String(decoding: bytes[text], as: UTF8.self)), value.isFinite else {
            throw Failure(reason: "number out of range", offset: text.lowerBound)
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = bytes[start..<position]
                position += 1
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw Failure(reason: "invalid UTF-8 in string", offset: start)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in string") }
            position += 1
        }
        var buffer = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw Failure(reason: "invalid UTF-8 in string", offset: start)
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw failure("unexpected end of input") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw Failure(reason: "invalid escape", offset: position - 2)
                }
            default:
                if byte < 0x20 { throw failure("control character in string") }
                buffer.append(byte)
                position += 1
            }
        }
        throw failure("unterminated string")
    }

    /// Reads `XXXX` after `\u` (and a following `\uXXXX` low surrogate when needed).
    private mutating func parseUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let high = try readHex4()
        if (0xD800...0xDBFF).contains(high) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw failure("unpaired surrogate escape") }
            position += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate escape") }
            let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw failure("invalid escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw failure("unpaired surrogate escape") }
        return scalar
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Failure) -> Double {
        let (text, _, _) = try scanNumber()
        guard let value = Double(String(decoding: bytes[text], as: UTF8.self)), value.isFinite else {
            throw Failure(reason: "number out of range", offset: text.lowerBound)
        }
        return value
    }

    /// Reads a number's grammar: where its text is, how many digits come before its point, and whether it has an
    /// exponent.
    private mutating func scanNumber() throws(Failure) -> (text: Range<Int>, integerDigits: Int, hasExponent: Bool) {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw failure("invalid number") }
        let integerStart = position
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        let integerDigits = position - integerStart
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let byte = peek(), isDigit(byte) else { throw failure("invalid number") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        var hasExponent = false
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            hasExponent = true
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let byte = peek(), isDigit(byte) else { throw failure("invalid number") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        return (start..<position, integerDigits, hasExponent)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            bytes[position..<(position + count)].elementsEqual(expected)
        }
        guard matches else { throw failure("invalid literal") }
        position += count
    }

    // MARK: - Helpers

    package mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func failure(_ reason: String) -> Failure {
        Failure(reason: reason, offset: position)
    }
}
