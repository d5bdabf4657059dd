import SwiftbaseCore

/// Type inference for plain form values (multipart parts and urlencoded pairs), as PocketBase applies it
/// before a form body reaches the record fields.
///
/// - `""` stays an empty string;
/// - `"true"` / `"false"` become booleans;
/// - a string of digits, `-` and `.` becomes a number only when the shortest non-exponent formatting of
///   the parsed double reproduces it exactly: `"7"`, `"-1.5"`, `"0.25"` are numbers; `"007"`, `"1.0"`,
///   `"1e3"`, `".5"`, `"9007199254740993"` stay strings;
/// - anything else stays a string.
enum FormValueInference {
    static func infer(_ raw: String) -> JSONValue {
        switch raw {
        case "": return .string(raw)
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        guard let number = exactNumber(raw) else { return .string(raw) }
        return .number(number)
    }

    /// The number `raw` spells in canonical form, or `nil`.
    static func exactNumber(_ raw: String) -> Double? {
        let utf8 = raw.utf8
        guard let first = utf8.first, first == UInt8(ascii: "-") || isDigit(first) else { return nil }
        guard utf8.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else {
            return nil
        }
        guard let value = Double(raw), value.isFinite else { return nil }
        return shortestFixedNotation(value) == raw ? value : nil
    }

    /// The shortest digits that round-trip `value`, written without an exponent (Go's
    /// `strconv.FormatFloat(v, 'f', -1, 64)`): `100`, `0.00001`, `-0`, `12345678901234567000`.
    static func shortestFixedNotation(_ value: Double) -> String {
        // Swift's `description` already yields the shortest round-trip digits; only the layout differs
        // ("1e-05", "1.5e+20", "100.0"), so re-lay the digits out in fixed notation.
        let text = value.magnitude.description
        var digits: [UInt8] = []
        var pointPosition: Int?  // digits before the decimal point in the mantissa
        var exponent = 0
        var index = text.utf8.startIndex
        let bytes = text.utf8
        while index != bytes.endIndex {
            let byte = bytes[index]
            if isDigit(byte) {
                digits.append(byte)
            } else if byte == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Int(String(text[bytes.index(after: index)...])) ?? 0
                break
            }
            index = bytes.index(after: index)
        }
        var decimalPoint = (pointPosition ?? digits.count) + exponent
        // Normalize: drop leading zeros (moving the point) and trailing zeros.
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }

        var out = value.sign == .minus ? "-" : ""
        if digits.isEmpty {
            return out + "0"
        }
        if decimalPoint <= 0 {
            out += "0." + String(repeating: "0", count: -decimalPoint)
            out += String(decoding: digits, as: UTF8.self)
        } else if decimalPoint >= digits.count {
            out += String(decoding: digits, as: UTF8.self)
            out += String(repeating: "0", count: decimalPoint - digits.count)
        } else {
            out += String(decoding: digits[..<decimalPoint], as: UTF8.self)
            out += "." + String(decoding: digits[decimalPoint...], as: UTF8.self)
        }
        return out
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
