import SwiftbaseCore

/// A parsed `Content-Type` / `Content-Disposition` value: lowercased type plus parameters, read the way
/// Go's `mime.ParseMediaType` reads them (tokens and quoted strings, parameter names lowercased, repeated
/// names rejected, RFC 2231 `name*=utf-8''…` and `name*0`/`name*1*` continuations decoded).
struct MIMEHeaderValue: Equatable {
    var type: String
    var parameters: [String: String]

    enum ParseError: Error, Equatable {
        /// The type itself is malformed: nothing usable.
        case invalidType
        /// The type is fine but a parameter is not (Go still reports the type in that case).
        case invalidParameter(type: String)
        case duplicateParameter
    }

    init(type: String, parameters: [String: String] = [:]) {
        self.type = type
        self.parameters = parameters
    }

    static func parse(_ text: String) throws(ParseError) -> MIMEHeaderValue {
        let scalars = Array(text.unicodeScalars)
        let semicolon = scalars.firstIndex(of: ";") ?? scalars.count
        let type = GoText.trimSpace(String(String.UnicodeScalarView(scalars[..<semicolon]))).lowercased()
        guard isValidType(type) else { throw .invalidType }

        var plain: [String: String] = [:]
        var extended: [String: [String: String]] = [:]  // base name → pieces ("name*", "name*0", …)
        var rest = scalars[semicolon...]
        while true {
            rest = rest.drop(while: GoText.isSpace)
            if rest.isEmpty { break }
            guard let (key, value, remainder) = consumeParameter(rest) else {
                if GoText.trimSpace(String(String.UnicodeScalarView(rest))) == ";" { break }  // trailing ';'
                throw .invalidParameter(type: type)
            }
            if let star = key.firstIndex(of: "*") {
                let base = String(key[..<star])
                if let existing = extended[base, default: [:]][key], existing != value { throw .duplicateParameter }
                extended[base, default: [:]][key] = value
            } else {
                if let existing = plain[key], existing != value { throw .duplicateParameter }
                plain[key] = value
            }
            rest = remainder
        }

        for (base, pieces) in extended {
            if let single = pieces[base + "*"] {
                if let decoded = decodeRFC2231(single) { plain[base] = decoded }
                continue
            }
            var joined = ""
            var found = false
            var n = 0
            while true {
                let simple = "\(base)*\(n)"
                if let piece = pieces[simple] {
                    found = true
                    joined += piece
                } else if let piece = pieces[simple + "*"] {
                    found = true
                    if n == 0 {
                        joined += decodeRFC2231(piece) ?? ""
                    } else {
                        joined += percentUnescape(piece) ?? ""
                    }
                } else {
                    break
                }
                n += 1
            }
            if found { plain[base] = joined }
        }
        return MIMEHeaderValue(type: type, parameters: plain)
    }

    // MARK: - Pieces

    /// `type` or `type/subtype`, each a non-empty token.
    private static func isValidType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(isTokenScalar) }) else { return false }
        return !parts.isEmpty
    }

    /// `; name = value` → (lowercased name, value, rest); `nil` if it is not one.
    private static func consumeParameter(
        _ input: ArraySlice<Unicode.Scalar>
    ) -> (String, String, ArraySlice<Unicode.Scalar>)? {
        var rest = input.drop(while: GoText.isSpace)
        guard rest.first == ";" else { return nil }
        rest = rest.dropFirst().drop(while: GoText.isSpace)
        let name = rest.prefix(while: isTokenScalar)
        guard !name.isEmpty else { return nil }
        rest = rest.dropFirst(name.count).drop(while: GoText.isSpace)
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop(while: GoText.isSpace)
        guard let (value, remainder) = consumeValue(rest) else { return nil }
        return (String(String.UnicodeScalarView(name)).lowercased(), value, remainder)
    }

    /// A token or a quoted string. Inside quotes a backslash escapes only a tspecial (so MSIE's
    /// unescaped `C:\dir\file` paths survive); CR/LF or a missing closing quote make it invalid.
    private static func consumeValue(
        _ input: ArraySlice<Unicode.Scalar>
    ) -> (String, ArraySlice<Unicode.Scalar>)? {
        guard let first = input.first else { return nil }
        if first != "\"" {
            let token = input.prefix(while: isTokenScalar)
            guard !token.isEmpty else { return nil }
            return (String(String.UnicodeScalarView(token)), input.dropFirst(token.count))
        }
        var value = String.UnicodeScalarView()
        var index = input.index(after: input.startIndex)
        while index < input.endIndex {
            let scalar = input[index]
            if scalar == "\"" {
                return (String(value), input[(index + 1)...])
            }
            if scalar == "\\", index + 1 < input.endIndex, isTSpecial(input[index + 1]) {
                value.append(input[index + 1])
                index += 2
                continue
            }
            if scalar == "\r" || scalar == "\n" { return nil }
            value.append(scalar)
            index += 1
        }
        return nil
    }

    /// `charset'language'percent-encoded` with charset utf-8 or us-ascii.
    private static func decodeRFC2231(_ text: String) -> String? {
        let parts = text.split(separator: "'", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let charset = parts[0].lowercased()
        guard charset == "utf-8" || charset == "us-ascii" else { return nil }
        return percentUnescape(String(parts[2]))
    }

    private static func percentUnescape(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.popFirst().flatMap(hexValue), let low = iterator.popFirst().flatMap(hexValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isTSpecial(_ scalar: Unicode.Scalar) -> Bool {
        "()<>@,;:\\\"/[]?=".unicodeScalars.contains(scalar)
    }

    private static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x20 && scalar.value < 0x7F && !isTSpecial(scalar)
    }
}
