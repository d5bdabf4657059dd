/// The name an upload is stored under, as PocketBase makes it: a snake-cased base, `_`, ten random
/// `[a-z0-9]`, and the original extension — `My Photo.PNG` → `my_photo_k2j9x0a1bc.PNG`. Nothing of the
/// client's name survives that could leave the record's folder: only ASCII letters, digits, `_` and a
/// cleaned extension remain.
package enum StoredFileName {
    static let maxOriginalBytes = 300
    static let maxBase = 100
    static let maxExtension = 20

    package static func make(for originalName: String, data: [UInt8]) -> String {
        var name = originalName
        if name.utf8.count > maxOriginalBytes {
            name = String(decoding: name.utf8.suffix(maxOriginalBytes), as: UTF8.self)
        }
        let (base, ext) = split(name)
        var snake = snakeCase(base)
        if snake.count < 3 {
            snake += RandomString.make(length: 10, alphabet: RandomString.lowercaseAlphanumeric)
        } else if snake.count > maxBase {
            snake = String(snake.prefix(maxBase))
        }
        var cleaned = cleanExtension(ext)
        if cleaned.isEmpty { cleaned = ContentSniffer.defaultExtension(of: data) }
        return snake + "_" + RandomString.make(length: 10, alphabet: RandomString.lowercaseAlphanumeric) + cleaned
    }

    /// Base and extension; the extension starts at the second-to-last dot when there is one
    /// (`x.tar.gz` → `x`, `.tar.gz`), as PocketBase reads it.
    static func split(_ name: String) -> (Substring, Substring) {
        let dots = name.indices.filter { name[$0] == "." }
        guard let last = dots.last else { return (Substring(name), "") }
        let start = dots.count >= 2 ? dots[dots.count - 2] : last
        return (name[..<start], name[start...])
    }

    /// Only `[A-Za-z0-9_.*+=#-]` kept, outer dots trimmed; `""` when nothing is left, else `.` + at most the
    /// last 20 characters.
    static func cleanExtension(_ ext: Substring) -> String {
        let allowed = ext.unicodeScalars.filter { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "_.*+=#-".unicodeScalars.contains(s))
        }
        var text = Substring(String(String.UnicodeScalarView(allowed)))
        while text.first == "." { text = text.dropFirst() }
        while text.last == "." { text = text.dropLast() }
        guard !text.isEmpty else { return "" }
        return "." + String(text.suffix(maxExtension))
    }

    /// Words split at anything that is not an ASCII letter or digit; `_` before an upper-case letter that
    /// follows a non-upper-case one; all lower-cased.
    package static func snakeCase(_ base: Substring) -> String {
        var trimmed = base
        while trimmed.first == "." { trimmed = trimmed.dropFirst() }
        while trimmed.last == "." { trimmed = trimmed.dropLast() }
        var words: [String] = []
        var word = ""
        for scalar in trimmed.unicodeScalars {
            let isWordCharacter =
                scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
            if isWordCharacter {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.map(snakeWord).joined(separator: "_")
    }

    private static func snakeWord(_ word: String) -> String {
        var out = ""
        var previousIsUpper = true
        for scalar in word.unicodeScalars {
            let isUpper = ("A"..."Z").contains(scalar)
            if isUpper && !previousIsUpper && !out.isEmpty { out.append("_") }
            previousIsUpper = isUpper
            out.unicodeScalars.append(isUpper ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }
        return out
    }
}
