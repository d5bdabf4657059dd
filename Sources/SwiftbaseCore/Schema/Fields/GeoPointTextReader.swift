/// Decodes JSON text into a ``GeoPoint`` as PocketBase 0.40 does: Go's `encoding/json/v2` `Unmarshal` into
/// `struct{ Lon, Lat float64 }` with the error ignored, so the point keeps whatever was set before the decoder
/// stopped.
///
/// The decoder reads the text front to back and stops at the first problem:
/// - anything but an object or `null` at the start (a BOM included), bad syntax anywhere — a bad string
///   escape, a control character in a string, a number such as `01`, `.5` or `1.`, a missing `:` or `,`;
/// - a member name seen before in the same object (names compared after unescaping, in skipped nested
///   objects too);
/// - a `lon` or `lat` that is neither a number nor `null`, or a number out of `Double`'s range.
///
/// Names match exactly (`Lon` is an unknown member, skipped like any other). A number is stored as soon as
/// it is read, before what follows it is looked at: `{"lat":1.5x}` and `{"lat":-01}` set `lat` (to 1.5, and
/// to -0). Nothing after the object is looked at.
struct GeoPointTextReader {
    private let bytes: [UInt8]
    private var index = 0
    private var point = GeoPoint()

    /// encoding/json/v2's nesting limit.
    private static let maxDepth = 10_000

    private struct Stop: Error {}

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    static func read(_ text: String) -> GeoPoint {
        var reader = GeoPointTextReader(text)
        try? reader.readPoint()
        return reader.point
    }

    // MARK: - The point

    private mutating func readPoint() throws(Stop) {
        skipWhitespace()
        if peek == UInt8(ascii: "n") {
            try readLiteral("null")
            return
        }
        try expect(UInt8(ascii: "{"))
        var names: Set<String> = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") { return }
        while true {
            let name = try readName(into: &names)
            switch name {
            case "lon": point.lon = try readCoordinate()
            case "lat": point.lat = try readCoordinate()
            default: try skipValue(depth: 1)
            }
            skipWhitespace()
            guard peek != UInt8(ascii: "}") else { return }
            try expect(UInt8(ascii: ","))
        }
    }

    /// A member name and its `:`, refused when the object had it already.
    private mutating func readName(into names: inout Set<String>) throws(Stop) -> String {
        skipWhitespace()
        let name = try readString()
        guard names.insert(name).inserted else { throw Stop() }
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return name
    }

    /// `null` decodes as 0 (the coordinate was still 0: its name is new).
    private mutating func readCoordinate() throws(Stop) -> Double {
        if peek == UInt8(ascii: "n") {
            try readLiteral("null")
            return 0
        }
        guard let value = try readNumber(), value.isFinite else { throw Stop() }
        return value
    }

    // MARK: - Skipping a value

    /// Skips one well-formed value of an unknown member, iteratively (the text may nest deeply).
    /// `depth` is the nesting of the object the member belongs to.
    private mutating func skipValue(depth: Int) throws(Stop) {
        // One entry per open container: an array (nil) or an object with its names so far.
        var open: [Set<String>?] = []
        while true {
            // A value starts here.
            skipWhitespace()
            switch peek {
            case UInt8(ascii: "{"):
                index += 1
                guard depth + open.count < Self.maxDepth else { throw Stop() }
                skipWhitespace()
                if peek == UInt8(ascii: "}") {
                    index += 1
                } else {
                    var names: Set<String> = []
                    _ = try readName(into: &names)
                    open.append(names)
                    continue
                }
            case UInt8(ascii: "["):
                index += 1
                guard depth + open.count < Self.maxDepth else { throw Stop() }
                skipWhitespace()
                if peek == UInt8(ascii: "]") {
                    index += 1
                } else {
                    open.append(nil)
                    continue
                }
            case UInt8(ascii: "\""): _ = try readString()
            case UInt8(ascii: "t"): try readLiteral("true")
            case UInt8(ascii: "f"): try readLiteral("false")
            case UInt8(ascii: "n"): try readLiteral("null")
            default: _ = try readNumber()
            }
            // The value ended: close containers until one continues with another value.
            while true {
                guard let last = open.last else { return }
                skipWhitespace()
                if var names = last {
                    if peek == UInt8(ascii: "}") {
                        index += 1
                        open.removeLast()
                        continue
                    }
                    try expect(UInt8(ascii: ","))
                    _ = try readName(into: &names)
                    open[open.count - 1] = names
                } else {
                    if peek == UInt8(ascii: "]") {
                        index += 1
                        open.removeLast()
                        continue
                    }
                    try expect(UInt8(ascii: ","))
                }
                break
            }
        }
    }

    // MARK: - Tokens

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek,
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
        {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Stop) {
        guard peek == byte else { throw Stop() }
        index += 1
    }

    private mutating func readLiteral(_ literal: StaticString) throws(Stop) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Stop() }
        let matches = literal.withUTF8Buffer { expected in
            expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw Stop() }
        index += count
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as `Double` (infinite when out of range).
    private mutating func readNumber() throws(Stop) -> Double? {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
        } else {
            guard skipDigits() > 0 else { throw Stop() }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw Stop() }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw Stop() }
        }
        return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// A string token, unescaped. Control characters, unknown escapes and escaped lone surrogates stop the
    /// decoder, as they do Go's.
    private mutating func readString() throws(Stop) -> String {
        try expect(UInt8(ascii: "\""))
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun(upTo end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let byte = peek, byte >= 0x20 else { throw Stop() }
            switch byte {
            case UInt8(ascii: "\""):
                flushRun(upTo: index)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flushRun(upTo: index)
                index += 1
                scalars.append(try readEscape())
                runStart = index
            default:
                index += 1
            }
        }
    }

    /// The character after a `\`.
    private mutating func readEscape() throws(Stop) -> Unicode.Scalar {
        guard let byte = peek else { throw Stop() }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            switch unit {
            case 0xD800...0xDBFF:
                try expect(UInt8(ascii: "\\"))
                try expect(UInt8(ascii: "u"))
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Stop() }
                let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw Stop() }
                return scalar
            case 0xDC00...0xDFFF:
                throw Stop()
            default:
                guard let scalar = Unicode.Scalar(unit) else { throw Stop() }
                return scalar
            }
        default:
            throw Stop()
        }
    }

    private mutating func readHex4() throws(Stop) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw Stop() }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Stop()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
