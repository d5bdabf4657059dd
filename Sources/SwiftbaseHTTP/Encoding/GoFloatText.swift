/// A `Double` as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it — the text PocketBase's SQL console
/// answers for a real value: the shortest digits that read back the same, in exponent form when the exponent
/// is below -4 or at least 6 (`1e+20`, `1.5e-05`, `123456`, `-0`, `+Inf`, `NaN`).
enum GoFloatText {
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let sign = value.sign == .minus ? "-" : ""
        if value == 0 { return sign + "0" }
        let (digits, point) = shortestDigits(abs(value))
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var text = sign + String(digits.first!)
            if digits.count > 1 { text += "." + String(digits.dropFirst()) }
            let magnitude = String(abs(exponent))
            return text + (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + String(digits) }
        if point >= digits.count { return sign + String(digits) + String(repeating: "0", count: point - digits.count) }
        return sign + String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
    }

    /// The significant digits of a positive finite `value` (Swift's shortest round-trip form, as Go's) and
    /// where the decimal point goes: `value == 0.d1d2… × 10^point`.
    private static func shortestDigits(_ value: Double) -> (digits: [Character], point: Int) {
        let text = value.description  // "1e+20", "0.001", "12.5", "1.5e-05"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        var digits = Array(mantissa.filter { $0 != "." })
        var point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count) + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, point)
    }
}
