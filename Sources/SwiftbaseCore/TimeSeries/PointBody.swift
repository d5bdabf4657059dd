/// A bulk point body: a JSON array of objects, or newline-delimited JSON objects (blank lines skipped).
///
/// Read in one pass straight into ``ParsedPoints``: keys are matched against the collection's field names by
/// their bytes, and plain values (strings without escapes, numbers, literals) are read in place. Anything else —
/// an escape, a nested value, a key naming no field, a duplicate key, bad JSON — sends that one object through
/// ``StrictJSONParser``, so what is accepted and every error are exactly the strict reader's.
public enum PointBody {
    public enum Format: Sendable {
        /// A JSON array of point objects.
        case array
        /// One point object per line (`application/x-ndjson`); blank lines are skipped.
        case lines
    }

    /// Reads `bytes` as `format`, laid out for `fieldNames`. A body that is not points is a 400 on `data.body`.
    public static func parse(_ bytes: [UInt8], format: Format, fieldNames: [String]) throws(SwiftbaseError)
        -> ParsedPoints
    {
        var points = ParsedPoints(fieldNames: fieldNames)
        let names = fieldNames.map { Array($0.utf8) }
        let failure: SwiftbaseError? = bytes.withUnsafeBufferPointer { buffer in
            var scanner = PointBodyScanner(bytes: bytes, buffer: buffer, names: names)
            switch format {
            case .lines: return scanner.readLines(into: &points)
            case .array: return scanner.readArray(into: &points) ? nil : arrayError(bytes)
            }
        }
        if let failure { throw failure }
        return points
    }

    /// The error of an array body the scanner refused, as reading it whole with the strict reader words it.
    private static func arrayError(_ bytes: [UInt8]) -> SwiftbaseError {
        guard case .array(let items)? = try? StrictJSONParser.parseDocument(bytes) else {
            return malformed("Send a JSON array of points, or newline-delimited JSON with Content-Type application/x-ndjson.")
        }
        let index = items.firstIndex { if case .object = $0 { false } else { true } } ?? 0
        return malformed("Point \(index) is not a JSON object.")
    }

    static func malformed(_ detail: String) -> SwiftbaseError {
        SwiftbaseError.badRequest(
            "Failed to load the submitted data due to invalid formatting.",
            data: .items(["body": ErrorItem("validation_invalid_body", detail)]))
    }
}

/// The byte-level reader behind ``PointBody/parse(_:format:fieldNames:)``.
struct PointBodyScanner {
    let bytes: [UInt8]
    let buffer: UnsafeBufferPointer<UInt8>
    /// The fields' names as bytes, in field order.
    let names: [[UInt8]]
    /// One point's values while it is read.
    private var row: [JSONValue?]

    init(bytes: [UInt8], buffer: UnsafeBufferPointer<UInt8>, names: [[UInt8]]) {
        self.bytes = bytes
        self.buffer = buffer
        self.names = names
        row = Array(repeating: nil, count: names.count)
    }

    // MARK: - Bodies

    /// Newline-delimited objects; answers the error of the first line that is not one, nil when all were.
    mutating func readLines(into points: inout ParsedPoints) -> SwiftbaseError? {
        var lineStart = 0
        var line = 0
        while lineStart < buffer.count {
            line += 1
            var lineEnd = lineStart
            while lineEnd < buffer.count && buffer[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            var position = lineStart
            while position < lineEnd && Self.isLineSpace(buffer[position]) { position += 1 }
            if position == lineEnd { continue }
            if let end = readObjectFast(from: position, limit: lineEnd),
                skipSpace(from: end, limit: lineEnd) == lineEnd
            {
                points.append(fields: row)
                continue
            }
            guard case .object(let object)? = try? StrictJSONParser.parseDocument(Array(bytes[position..<lineEnd]))
            else { return PointBody.malformed("Line \(line) is not a JSON object.") }
            points.append(object)
        }
        return nil
    }

    /// A JSON array of objects; false when the body is anything else (the caller words the error).
    mutating func readArray(into points: inout ParsedPoints) -> Bool {
        let end = buffer.count
        var position = skipSpace(from: 0, limit: end)
        guard position < end, buffer[position] == UInt8(ascii: "[") else { return false }
        position = skipSpace(from: position + 1, limit: end)
        if position < end && buffer[position] == UInt8(ascii: "]") {
            return skipSpace(from: position + 1, limit: end) == end
        }
        while true {
            guard position < end, buffer[position] == UInt8(ascii: "{") else { return false }
            if let after = readObjectFast(from: position, limit: end) {
                points.append(fields: row)
                position = after
            } else {
                var strict = StrictJSONParser(bytes, at: position)
                guard case .object(let object)? = try? strict.parseLeadingValue() else { return false }
                points.append(object)
                position = strict.position
            }
            position = skipSpace(from: position, limit: end)
            guard position < end else { return false }
            if buffer[position] == UInt8(ascii: "]") { return skipSpace(from: position + 1, limit: end) == end }
            guard buffer[position] == UInt8(ascii: ",") else { return false }
            position = skipSpace(from: position + 1, limit: end)
        }
    }

    // MARK: - One object

    /// Reads the object at `start` into `row` when every key names a field once and every value is plain;
    /// answers the position after it, or nil to leave the object to the strict reader.
    private mutating func readObjectFast(from start: Int, limit end: Int) -> Int? {
        for i in row.indices { row[i] = nil }
        guard buffer[start] == UInt8(ascii: "{") else { return nil }
        var position = skipSpace(from: start + 1, limit: end)
        guard position < end else { return nil }
        if buffer[position] == UInt8(ascii: "}") { return position + 1 }
        while true {
            guard position < end, buffer[position] == UInt8(ascii: "\"") else { return nil }
            guard let keyEnd = plainStringEnd(from: position + 1, limit: end, asciiOnly: true),
                let field = field(named: position + 1..<keyEnd), row[field] == nil
            else { return nil }
            position = skipSpace(from: keyEnd + 1, limit: end)
            guard position < end, buffer[position] == UInt8(ascii: ":") else { return nil }
            position = skipSpace(from: position + 1, limit: end)
            guard position < end, let (value, after) = readPlainValue(from: position, limit: end) else { return nil }
            row[field] = value
            position = skipSpace(from: after, limit: end)
            guard position < end else { return nil }
            if buffer[position] == UInt8(ascii: "}") { return position + 1 }
            guard buffer[position] == UInt8(ascii: ",") else { return nil }
            position = skipSpace(from: position + 1, limit: end)
        }
    }

    /// The field whose name is the bytes of `range`.
    private func field(named range: Range<Int>) -> Int? {
        let count = range.count
        for (index, name) in names.enumerated() where name.count == count {
            var same = true
            var i = 0
            while i < count {
                if name[i] != buffer[range.lowerBound + i] {
                    same = false
                    break
                }
                i += 1
            }
            if same { return index }
        }
        return nil
    }

    /// A string without escapes, a number or a literal at `start`, and the position after it.
    private func readPlainValue(from start: Int, limit end: Int) -> (JSONValue, Int)? {
        switch buffer[start] {
        case UInt8(ascii: "\""):
            guard let close = plainStringEnd(from: start + 1, limit: end, asciiOnly: false) else { return nil }
            let text = UnsafeBufferPointer(rebasing: buffer[(start + 1)..<close])
            // ASCII needs no validation; other text must be well-formed UTF-8, as the strict reader requires.
            if !text.contains(where: { $0 >= 0x80 }) { return (.string(String(decoding: text, as: UTF8.self)), close + 1) }
            guard let string = String(validating: text, as: UTF8.self) else { return nil }
            return (.string(string), close + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return readNumber(from: start, limit: end)
        case UInt8(ascii: "t"): return literal("true", .bool(true), at: start, limit: end)
        case UInt8(ascii: "f"): return literal("false", .bool(false), at: start, limit: end)
        case UInt8(ascii: "n"): return literal("null", .null, at: start, limit: end)
        default: return nil
        }
    }

    /// The closing quote of a string starting at `start` (after its opening quote) with no escape and no control
    /// character (and only ASCII when `asciiOnly`); nil otherwise.
    private func plainStringEnd(from start: Int, limit end: Int, asciiOnly: Bool) -> Int? {
        var position = start
        while position < end {
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") { return position }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || (asciiOnly && byte >= 0x80) { return nil }
            position += 1
        }
        return nil
    }

    private func literal(_ text: StaticString, _ value: JSONValue, at start: Int, limit end: Int) -> (JSONValue, Int)? {
        let count = text.utf8CodeUnitCount
        guard start + count <= end else { return nil }
        for i in 0..<count where buffer[start + i] != text.utf8Start[i] { return nil }
        return (value, start + count)
    }

    /// A number in JSON's grammar. Up to 15 significant digits and no exponent, it is computed exactly (an
    /// integer below 2^53 divided by an exact power of ten rounds once, as a full parse does); otherwise the
    /// standard library parses its text. Out-of-range numbers are left to the strict reader (which refuses them).
    private func readNumber(from start: Int, limit end: Int) -> (JSONValue, Int)? {
        var position = start
        let negative = buffer[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < end, Self.isDigit(buffer[position]) else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        if buffer[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < end && Self.isDigit(buffer[position]) {
                mantissa = mantissa &* 10 &+ UInt64(buffer[position] - 48)
                digits += 1
                position += 1
            }
        }
        if position < end && buffer[position] == UInt8(ascii: ".") {
            position += 1
            guard position < end, Self.isDigit(buffer[position]) else { return nil }
            while position < end && Self.isDigit(buffer[position]) {
                mantissa = mantissa &* 10 &+ UInt64(buffer[position] - 48)
                digits += 1
                fractionDigits += 1
                position += 1
            }
        }
        var exponent = false
        if position < end && (buffer[position] == UInt8(ascii: "e") || buffer[position] == UInt8(ascii: "E")) {
            exponent = true
            position += 1
            if position < end && (buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < end, Self.isDigit(buffer[position]) else { return nil }
            while position < end && Self.isDigit(buffer[position]) { position += 1 }
        }
        if !exponent && digits <= 15 {
            let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return (.number(negative ? -magnitude : magnitude), position)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return (.number(value), position)
    }

    /// 10^0 … 10^15, all exact in a Double.
    private static let powersOfTen: [Double] = (0...15).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    // MARK: - Bytes

    private func skipSpace(from start: Int, limit end: Int) -> Int {
        var position = start
        while position < end {
            switch buffer[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return position
            }
        }
        return position
    }

    /// What a line may hold besides its object (a newline ends the line).
    private static func isLineSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
