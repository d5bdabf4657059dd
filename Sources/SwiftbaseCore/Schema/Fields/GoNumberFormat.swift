/// Go's float formatting and parsing, for the places where PocketBase's output depends on them: a number
/// cast to text (`strconv.FormatFloat(f, 'f', -1, 64)`), a number printed in an error message (`%v`) and
/// text cast to a number (`strconv.ParseFloat`).
enum GoNumberFormat {
    /// Shortest round-trip digits without exponent: `5`, `-0.5`, `1000000000000000000000`, `0.0000001`.
    static func plain(_ d: Double) -> String {
        if let special = special(d) { return special }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let (negative, digits, pointPosition) = decimalDigits(d)
        return (negative ? "-" : "") + fixed(digits, pointPosition)
    }

    /// Go's `%v` for a float64: plain notation unless the decimal exponent is below -4 or at least 21,
    /// then `1e+21`, `1.5e-07`.
    static func verb(_ d: Double) -> String {
        if let special = special(d) { return special }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let (negative, digits, pointPosition) = decimalDigits(d)
        let exponent = pointPosition - 1
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= 21 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let magnitude = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "")
                + String(magnitude)
        }
        return sign + fixed(digits, pointPosition)
    }

    /// Go's `encoding/json` for a float64: plain notation for magnitudes from 1e-6 up to 1e21 (and zero),
    /// otherwise `1e+21`, `1.5e-7` (the exponent's leading zero dropped, as the encoder does).
    static func json(_ d: Double) -> String {
        if let special = special(d) { return special }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        // Swift writes the same shortest digits, in plain notation from 1e-4 to 2^53: a fraction it writes
        // without an exponent is already Go's text (the common case: readings, averages).
        if d != d.rounded() {
            let text = d.description
            if !text.utf8.contains(UInt8(ascii: "e")) { return text }
        }
        return jsonFromDigits(d)
    }

    /// ``json(_:)`` built from the decimal digits and the point's position (every finite value).
    static func jsonFromDigits(_ d: Double) -> String {
        if let special = special(d) { return special }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let (negative, digits, pointPosition) = decimalDigits(d)
        let sign = negative ? "-" : ""
        guard abs(d) < 1e-6 || abs(d) >= 1e21 else { return sign + fixed(digits, pointPosition) }
        let exponent = pointPosition - 1
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let magnitude = abs(exponent)
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (exponent > 0 && magnitude < 10 ? "0" : "")
            + String(magnitude)
    }

    /// Go's `strconv.ParseFloat(s, 64)`: decimal (`1`, `-1.5`, `.5`, `1e3`, `+2`), hexadecimal with a
    /// binary exponent (`0x1p-2`) and `inf`/`infinity`/`nan` in any case. Out-of-range values and anything
    /// else (spaces, underscores, empty) give nil.
    static func parseFloat(_ text: String) -> Double? {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { return nil }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        switch String(Substring(bytes)).lowercased() {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        guard isDecimalLiteral(bytes) || isHexLiteral(bytes), let value = Double(text) else { return nil }
        return value.isFinite ? value : nil
    }

    // MARK: - Helpers

    private static func special(_ d: Double) -> String? {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        return nil
    }

    /// The shortest round-trip significant digits of `d` (no leading or trailing zeros) and where the
    /// decimal point sits relative to them (`12.5` → `"125"`, 2; `0.005` → `"5"`, -2).
    private static func decimalDigits(_ d: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        var text = abs(d).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integerPart = Substring(text)
        var fraction = Substring("")
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fraction)
        var pointPosition = integerPart.count + exponent
        while digits.first == "0", digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        return (d < 0, digits, pointPosition)
    }

    private static func fixed(_ digits: String, _ pointPosition: Int) -> String {
        if pointPosition <= 0 { return "0." + String(repeating: "0", count: -pointPosition) + digits }
        if pointPosition >= digits.count { return digits + String(repeating: "0", count: pointPosition - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return digits[..<split] + "." + digits[split...]
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
    }

    /// `digits[.digits][(e|E)[+-]digits]` or `.digits[…]`.
    private static func isDecimalLiteral(_ bytes: Substring.UTF8View.SubSequence) -> Bool {
        var i = bytes.startIndex
        var mantissaDigits = 0
        while i < bytes.endIndex, isDigit(bytes[i]) {
            mantissaDigits += 1
            i = bytes.index(after: i)
        }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") {
            i = bytes.index(after: i)
            while i < bytes.endIndex, isDigit(bytes[i]) {
                mantissaDigits += 1
                i = bytes.index(after: i)
            }
        }
        guard mantissaDigits > 0 else { return false }
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i = bytes.index(after: i)
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                i = bytes.index(after: i)
            }
            var exponentDigits = 0
            while i < bytes.endIndex, isDigit(bytes[i]) {
                exponentDigits += 1
                i = bytes.index(after: i)
            }
            guard exponentDigits > 0 else { return false }
        }
        return i == bytes.endIndex
    }

    /// `0x` hex mantissa (with optional point) followed by a mandatory `p` binary exponent.
    private static func isHexLiteral(_ bytes: Substring.UTF8View.SubSequence) -> Bool {
        var i = bytes.startIndex
        guard bytes.count > 2, bytes[i] == UInt8(ascii: "0") else { return false }
        i = bytes.index(after: i)
        guard bytes[i] == UInt8(ascii: "x") || bytes[i] == UInt8(ascii: "X") else { return false }
        i = bytes.index(after: i)
        var mantissaDigits = 0
        var sawPoint = false
        while i < bytes.endIndex, isHexDigit(bytes[i]) || (!sawPoint && bytes[i] == UInt8(ascii: ".")) {
            if bytes[i] == UInt8(ascii: ".") { sawPoint = true } else { mantissaDigits += 1 }
            i = bytes.index(after: i)
        }
        guard mantissaDigits > 0, i < bytes.endIndex, bytes[i] == UInt8(ascii: "p") || bytes[i] == UInt8(ascii: "P")
        else { return false }
        i = bytes.index(after: i)
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            i = bytes.index(after: i)
        }
        var exponentDigits = 0
        while i < bytes.endIndex, isDigit(bytes[i]) {
            exponentDigits += 1
            i = bytes.index(after: i)
        }
        return exponentDigits > 0 && i == bytes.endIndex
    }
}
