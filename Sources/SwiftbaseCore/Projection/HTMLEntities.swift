/// HTML character references as the HTML5 tokenizer decodes them in text: numeric (`&#233;`, `&#xE9;`,
/// semicolon optional, C1 controls mapped through Windows-1252, invalid code points → U+FFFD) and named.
///
/// The named table holds the references that matter for text excerpts (markup escapes, Latin-1, common
/// typography); an unknown name stays literal. Legacy names (the Latin-1 set and `amp`/`lt`/`gt`/`quot`)
/// also match without a semicolon, longest first, as browsers do.
enum HTMLEntities {
    /// Decodes the reference after an `&` at `index` (just past the `&`), advancing `index` past what it
    /// consumed; returns `&` alone when nothing matches.
    static func decodeReference(_ scalars: ArraySlice<Unicode.Scalar>, at index: inout Int) -> [Unicode.Scalar] {
        guard index < scalars.endIndex else { return ["&"] }
        if scalars[index] == "#" { return decodeNumeric(scalars, at: &index) }

        var end = index
        while end < scalars.endIndex, end - index < 32, isASCIIAlphanumeric(scalars[end]) { end += 1 }
        guard end > index else { return ["&"] }
        let name = String(String.UnicodeScalarView(scalars[index..<end]))
        if end < scalars.endIndex, scalars[end] == ";", let value = named[name] {
            index = end + 1
            return value
        }
        // Longest legacy name that prefixes the run, no semicolon needed.
        var length = name.unicodeScalars.count
        while length > 1 {
            let prefix = String(String.UnicodeScalarView(scalars[index..<(index + length)]))
            if legacy.contains(prefix), let value = named[prefix] {
                index += length
                return value
            }
            length -= 1
        }
        return ["&"]
    }

    private static func decodeNumeric(_ scalars: ArraySlice<Unicode.Scalar>, at index: inout Int) -> [Unicode.Scalar] {
        var cursor = index + 1
        var hex = false
        if cursor < scalars.endIndex, scalars[cursor] == "x" || scalars[cursor] == "X" {
            hex = true
            cursor += 1
        }
        let digitsStart = cursor
        var value: UInt32 = 0
        while cursor < scalars.endIndex, let digit = digitValue(scalars[cursor], hex: hex) {
            value = min(value * (hex ? 16 : 10) + digit, 0x11_0000)
            cursor += 1
        }
        guard cursor > digitsStart else { return ["&"] }
        if cursor < scalars.endIndex, scalars[cursor] == ";" { cursor += 1 }
        index = cursor

        if (0x80...0x9F).contains(value) { return [windows1252[Int(value - 0x80)]] }
        if value == 0 || (0xD800...0xDFFF).contains(value) || value > 0x10_FFFF { return ["\u{FFFD}"] }
        return [Unicode.Scalar(value) ?? "\u{FFFD}"]
    }

    private static func digitValue(_ scalar: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f" where hex: scalar.value - 87
        case "A"..."F" where hex: scalar.value - 55
        default: nil
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static let windows1252: [Unicode.Scalar] = [
        "\u{20AC}", "\u{81}", "\u{201A}", "\u{192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{2C6}", "\u{2030}", "\u{160}", "\u{2039}", "\u{152}", "\u{8D}", "\u{17D}", "\u{8F}",
        "\u{90}", "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{2DC}", "\u{2122}", "\u{161}", "\u{203A}", "\u{153}", "\u{9D}", "\u{17E}", "\u{178}",
    ]

    /// Latin-1 names for U+00A0…U+00FF, in code point order.
    private static let latin1Names = [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not",
        "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1",
        "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml",
        "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH",
        "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
        "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig",
        "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
        "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
        "yacute", "thorn", "yuml",
    ]

    private static let markupNames: [String: UInt32] = [
        "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "AMP": 0x26, "LT": 0x3C, "GT": 0x3E, "QUOT": 0x22,
        "COPY": 0xA9, "REG": 0xAE,
    ]

    private static let otherNames: [String: UInt32] = [
        "apos": 0x27, "OElig": 0x152, "oelig": 0x153, "Scaron": 0x160, "scaron": 0x161, "Yuml": 0x178,
        "fnof": 0x192, "circ": 0x2C6, "tilde": 0x2DC, "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009,
        "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F, "ndash": 0x2013, "mdash": 0x2014,
        "lsquo": 0x2018, "rsquo": 0x2019, "sbquo": 0x201A, "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E,
        "dagger": 0x2020, "Dagger": 0x2021, "bull": 0x2022, "hellip": 0x2026, "permil": 0x2030, "prime": 0x2032,
        "Prime": 0x2033, "lsaquo": 0x2039, "rsaquo": 0x203A, "oline": 0x203E, "euro": 0x20AC, "trade": 0x2122,
        "larr": 0x2190, "uarr": 0x2191, "rarr": 0x2192, "darr": 0x2193, "harr": 0x2194, "minus": 0x2212,
        "infin": 0x221E, "asymp": 0x2248, "ne": 0x2260, "le": 0x2264, "ge": 0x2265, "hearts": 0x2665,
        "nbsp": 0xA0,
    ]

    private static let named: [String: [Unicode.Scalar]] = {
        var table: [String: [Unicode.Scalar]] = [:]
        for (offset, name) in latin1Names.enumerated() {
            table[name] = [Unicode.Scalar(UInt8(0xA0 + offset))]
        }
        for (name, value) in markupNames.merging(otherNames, uniquingKeysWith: { first, _ in first }) {
            if let scalar = Unicode.Scalar(value) { table[name] = [scalar] }
        }
        return table
    }()

    private static let legacy: Set<String> = Set(latin1Names).union(markupNames.keys)
}
