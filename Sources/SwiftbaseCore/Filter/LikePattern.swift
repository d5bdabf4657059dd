/// PocketBase's `~` value handling: a value without an unescaped `%` becomes a "contains" pattern
/// (`%value%`, with `\`, `%` and `_` escaped for `ESCAPE '\'`); a value with one is used verbatim, so
/// `title ~ "Post%"` is a prefix match.
///
/// The escaping walks the text backwards exactly as PocketBase does, quirks included (of two adjacent
/// special characters only the later one gets a backslash), so the same filter matches the same rows.
enum LikePattern {
    static func containsPattern(_ value: SQLValue) -> SQLValue {
        let text = textOf(value)
        if containsUnescaped(text, "%") { return .text(text) }
        return .text("%" + escapeUnescaped(text) + "%")
    }

    /// Values as Go's `cast.ToString` renders them.
    private static func textOf(_ value: SQLValue) -> String {
        switch value {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number):
            var out = ""
            JSONWriter.writeNumber(number, into: &out)
            return out
        case .null, .blob: return ""
        }
    }

    /// True when `character` occurs without a preceding (unescaped) backslash.
    static func containsUnescaped(_ text: String, _ character: Unicode.Scalar) -> Bool {
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if scalar == character, previous != "\\" { return true }
            previous = (scalar == "\\" && previous == "\\") ? nil : scalar
        }
        return false
    }

    static func escapeUnescaped(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var reversed: [Unicode.Scalar] = []
        reversed.reserveCapacity(scalars.count + 4)
        var pending = false
        for index in scalars.indices.reversed() {
            let scalar = scalars[index]
            if pending {
                if scalar != "\\" { reversed.append("\\") }
                pending = false
            } else if scalar == "\\" || scalar == "%" || scalar == "_" {
                pending = true
            }
            reversed.append(scalar)
            if index == 0, pending { reversed.append("\\") }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: reversed.reversed())
        return String(out)
    }
}
