/// Random strings from `SystemRandomNumberGenerator` (a cryptographically secure source): fixed alphabets
/// for secrets and ids, and strings matching a regular expression for text fields' `autogeneratePattern`.
///
/// ```swift
/// RandomString.make(length: 50, alphabet: RandomString.alphanumeric)
/// try RandomString.matching("[a-z0-9]{15}")   // "k3v9x0q2m1b7z8a"
/// ```
package enum RandomString {
    package static let lowercaseAlphanumeric = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    package static let alphanumeric = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Why a pattern cannot generate strings; `message` follows Go's regexp parser wording.
    package struct PatternError: Error, Sendable, Equatable {
        package var message: String
    }

    package static func make(length: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(length: length, alphabet: alphabet, using: &generator)
    }

    /// `make(length:alphabet:)` drawing from `generator`.
    package static func make(
        length: Int, alphabet: [Character], using generator: inout some RandomNumberGenerator
    ) -> String {
        guard !alphabet.isEmpty, length > 0 else { return "" }
        var out = ""
        out.reserveCapacity(length)
        guard alphabet.count <= 256 else {
            for _ in 0..<length { out.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
            return out
        }
        // One draw from the generator (a getrandom call) gives eight bytes; a byte at or above the largest
        // multiple of the alphabet's size is rejected, so every character stays equally likely.
        let limit = 256 - 256 % alphabet.count
        var bits: UInt64 = 0
        var bytesLeft = 0
        var produced = 0
        while produced < length {
            if bytesLeft == 0 {
                bits = generator.next()
                bytesLeft = 8
            }
            let byte = Int(bits & 0xFF)
            bits >>= 8
            bytesLeft -= 1
            if byte < limit {
                out.append(alphabet[byte % alphabet.count])
                produced += 1
            }
        }
        return out
    }

    /// A random string matched by `pattern`. Supports literals, escapes (`\d \w \s` and their negations),
    /// `.`, character classes with ranges and negation, groups, alternation, anchors and the quantifiers
    /// `* + ? {n} {n,} {n,m}` (unbounded ones repeat at most 6 extra times, as PocketBase).
    package static func matching(_ pattern: String) throws(PatternError) -> String {
        var parser = PatternParser(pattern)
        let node = try parser.parse()
        var generator = SystemRandomNumberGenerator()
        var out = ""
        node.write(into: &out, using: &generator)
        return out
    }
}

// MARK: - Pattern syntax tree

private indirect enum PatternNode {
    case empty
    case literal(Unicode.Scalar)
    /// Inclusive scalar ranges to pick one character from.
    case set([ClosedRange<UInt32>])
    case sequence([PatternNode])
    case alternation([PatternNode])
    case repetition(PatternNode, min: Int, max: Int)

    func write(into out: inout String, using generator: inout SystemRandomNumberGenerator) {
        switch self {
        case .empty:
            break
        case .literal(let scalar):
            out.unicodeScalars.append(scalar)
        case .set(let ranges):
            let total = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
            guard total > 0 else { return }
            var pick = Int.random(in: 0..<total, using: &generator)
            for range in ranges {
                let size = Int(range.upperBound - range.lowerBound) + 1
                if pick < size {
                    if let scalar = Unicode.Scalar(range.lowerBound + UInt32(pick)) { out.unicodeScalars.append(scalar) }
                    return
                }
                pick -= size
            }
        case .sequence(let nodes):
            for node in nodes { node.write(into: &out, using: &generator) }
        case .alternation(let options):
            guard !options.isEmpty else { return }
            options[Int.random(in: 0..<options.count, using: &generator)].write(into: &out, using: &generator)
        case .repetition(let node, let min, let max):
            let count = min == max ? min : Int.random(in: min...max, using: &generator)
            for _ in 0..<count { node.write(into: &out, using: &generator) }
        }
    }
}

// MARK: - Parser

private struct PatternParser {
    static let maxRepeat = 1000
    static let unboundedExtra = 6
    static let digits: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]
    /// What `.` and negated classes pick from (printable ASCII), as PocketBase keeps generated values simple.
    static let printable: [ClosedRange<UInt32>] = [32...126]
    static let anyCharacter: [ClosedRange<UInt32>] = [48...57, 65...90, 97...122]

    let scalars: [Unicode.Scalar]
    let pattern: String
    var index = 0

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    mutating func parse() throws(RandomString.PatternError) -> PatternNode {
        let node = try parseAlternation()
        if index < scalars.count { throw error("unexpected )") }
        return node
    }

    private func error(_ reason: String) -> RandomString.PatternError {
        RandomString.PatternError(message: "error parsing regexp: \(reason): `\(pattern)`")
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func parseAlternation() throws(RandomString.PatternError) -> PatternNode {
        var options = [try parseSequence()]
        while current == "|" {
            index += 1
            options.append(try parseSequence())
        }
        return options.count == 1 ? options[0] : .alternation(options)
    }

    private mutating func parseSequence() throws(RandomString.PatternError) -> PatternNode {
        var nodes: [PatternNode] = []
        while let c = current, c != "|", c != ")" {
            let atom = try parseAtom()
            nodes.append(try parseQuantifiers(on: atom))
        }
        return nodes.count == 1 ? nodes[0] : .sequence(nodes)
    }

    private mutating func parseAtom() throws(RandomString.PatternError) -> PatternNode {
        guard let c = current else { throw error("missing argument to repetition operator") }
        index += 1
        switch c {
        case "(":
            skipGroupFlags()
            let inner = try parseAlternation()
            guard current == ")" else { throw error("missing closing )") }
            index += 1
            return inner
        case "[":
            return .set(try parseClass())
        case "\\":
            return try parseEscape(inClass: false).node
        case ".":
            return .set(Self.anyCharacter)
        case "^", "$":
            return .empty
        case "*", "+", "?", "{":
            if c == "{", !looksLikeRepeat(from: index - 1) { return .literal(c) }
            throw error("missing argument to repetition operator")
        default:
            return .literal(c)
        }
    }

    /// `(?:…)`, `(?P<name>…)`, `(?<name>…)`, `(?i)`-style flags: generation ignores them.
    private mutating func skipGroupFlags() {
        guard current == "?" else { return }
        index += 1
        if current == "P" { index += 1 }
        if current == "<" {
            while let c = current, c != ">" { index += 1 }
            index += 1
            return
        }
        while let c = current, c != ":", c != ")" { index += 1 }
        if current == ":" { index += 1 }
    }

    private mutating func parseQuantifiers(on atom: PatternNode) throws(RandomString.PatternError) -> PatternNode {
        var node = atom
        while let c = current {
            var range: (Int, Int)
            switch c {
            case "*": range = (0, Self.unboundedExtra)
            case "+": range = (1, 1 + Self.unboundedExtra)
            case "?": range = (0, 1)
            case "{":
                guard looksLikeRepeat(from: index) else { return node }
                range = try parseBraces()
                index -= 1
            default: return node
            }
            index += 1
            if current == "?" { index += 1 }  // lazy: same strings
            if case .repetition = node { throw error("invalid nested repetition operator") }
            node = .repetition(node, min: range.0, max: range.1)
        }
        return node
    }

    private func looksLikeRepeat(from start: Int) -> Bool {
        var i = start + 1
        var sawDigit = false
        while i < scalars.count, scalars[i].properties.numericType != nil, scalars[i].isASCII {
            sawDigit = true
            i += 1
        }
        guard sawDigit, i < scalars.count else { return false }
        if scalars[i] == "}" { return true }
        guard scalars[i] == "," else { return false }
        i += 1
        while i < scalars.count, scalars[i].properties.numericType != nil, scalars[i].isASCII { i += 1 }
        return i < scalars.count && scalars[i] == "}"
    }

    /// `{n}`, `{n,}`, `{n,m}`; leaves `index` just after `}`.
    private mutating func parseBraces() throws(RandomString.PatternError) -> (Int, Int) {
        index += 1
        let min = readNumber()
        var max = min
        if current == "," {
            index += 1
            max = current == "}" ? min + Self.unboundedExtra : readNumber()
        }
        index += 1
        guard min <= Self.maxRepeat, max <= Self.maxRepeat + Self.unboundedExtra, min <= max else {
            throw error("invalid repeat count")
        }
        return (min, max)
    }

    private mutating func readNumber() -> Int {
        var value = 0
        while let c = current, let digit = c.properties.numericType != nil && c.isASCII ? Int(c.value) - 48 : nil {
            value = Swift.min(value * 10 + digit, 1_000_000)
            index += 1
        }
        return value
    }

    private mutating func parseClass() throws(RandomString.PatternError) -> [ClosedRange<UInt32>] {
        var negated = false
        if current == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let c = current else { throw error("missing closing ]") }
            if c == "]", !first { break }
            first = false
            index += 1
            var low: UInt32
            if c == "\\" {
                let escape = try parseEscape(inClass: true)
                guard let scalar = escape.scalar else {
                    if case .set(let set) = escape.node { ranges += set }
                    continue
                }
                low = scalar.value
            } else if c == "[", current == ":" {
                ranges += try parsePOSIXClass()
                continue
            } else {
                low = c.value
            }
            if current == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                guard var high = current?.value else { throw error("missing closing ]") }
                index += 1
                if high == UInt32(UInt8(ascii: "\\")) {
                    guard let scalar = try parseEscape(inClass: true).scalar else { throw error("invalid character class range") }
                    high = scalar.value
                }
                guard low <= high else { throw error("invalid character class range") }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        index += 1
        return negated ? Self.subtract(ranges, from: Self.printable) : ranges
    }

    private mutating func parsePOSIXClass() throws(RandomString.PatternError) -> [ClosedRange<UInt32>] {
        var name = ""
        index += 1
        while let c = current, c != ":" {
            name.unicodeScalars.append(c)
            index += 1
        }
        guard current == ":", index + 1 < scalars.count, scalars[index + 1] == "]" else {
            throw error("invalid character class range")
        }
        index += 2
        switch name {
        case "alpha": return [65...90, 97...122]
        case "digit": return Self.digits
        case "alnum": return [48...57, 65...90, 97...122]
        case "lower": return [97...122]
        case "upper": return [65...90]
        case "word": return Self.word
        case "space": return Self.space
        case "xdigit": return [48...57, 65...70, 97...102]
        default: throw error("invalid character class range")
        }
    }

    /// After a backslash: a class (`\d`), an assertion (`\b`, empty) or one literal scalar.
    private mutating func parseEscape(inClass: Bool) throws(RandomString.PatternError) -> (
        node: PatternNode, scalar: Unicode.Scalar?
    ) {
        guard let c = current else { throw error("trailing backslash at end of expression") }
        index += 1
        switch c {
        case "d": return (.set(Self.digits), nil)
        case "w": return (.set(Self.word), nil)
        case "s": return (.set(Self.space), nil)
        case "D": return (.set(Self.subtract(Self.digits, from: Self.printable)), nil)
        case "W": return (.set(Self.subtract(Self.word, from: Self.printable)), nil)
        case "S": return (.set(Self.subtract(Self.space, from: Self.printable)), nil)
        case "b", "B", "A", "z":
            if inClass { throw error("invalid escape sequence") }
            return (.empty, nil)
        case "n": return (.literal("\n"), "\n")
        case "t": return (.literal("\t"), "\t")
        case "r": return (.literal("\r"), "\r")
        case "f": return (.literal("\u{0C}"), "\u{0C}")
        case "v": return (.literal("\u{0B}"), "\u{0B}")
        default:
            if c.properties.isAlphabetic || c.properties.numericType != nil {
                throw error("invalid escape sequence")
            }
            return (.literal(c), c)
        }
    }

    /// `base` minus every scalar in `remove`.
    static func subtract(_ remove: [ClosedRange<UInt32>], from base: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for range in base {
            var pieces = [range]
            for cut in remove {
                pieces = pieces.flatMap { piece -> [ClosedRange<UInt32>] in
                    guard cut.overlaps(piece) else { return [piece] }
                    var kept: [ClosedRange<UInt32>] = []
                    if cut.lowerBound > piece.lowerBound { kept.append(piece.lowerBound...(cut.lowerBound - 1)) }
                    if cut.upperBound < piece.upperBound { kept.append((cut.upperBound + 1)...piece.upperBound) }
                    return kept
                }
            }
            out += pieces
        }
        return out
    }
}
