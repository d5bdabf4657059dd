/// Hand-written format checks for email addresses, URLs and domain names, following the rules of the
/// validators PocketBase uses (govalidator's `IsEmail`/`IsURL`, ozzo's `is.Domain`) without regexes, so
/// they cost one pass over the text.
package enum AddressFormat {
    // MARK: - Email

    /// An email address: dot-separated atoms (or a quoted string) before the last `@`, a host with at least
    /// one dot after it. Letters beyond ASCII are accepted in the ranges govalidator accepts.
    static func isEmail(_ text: String) -> Bool {
        if text.contains("=?") && text.contains("?=") { return false }  // RFC 2047 encoded words
        let scalars = Substring(text).unicodeScalars
        guard let at = scalars.lastIndex(of: "@") else { return false }
        let local = scalars[..<at]
        let domain = scalars[scalars.index(after: at)...]
        return isEmailLocalPart(local) && isEmailDomain(domain)
    }

    private static func isExtendedLetter(_ s: Unicode.Scalar) -> Bool {
        (0xA0...0xD7FF).contains(s.value) || (0xF900...0xFDCF).contains(s.value) || (0xFDF0...0xFFEF).contains(s.value)
    }

    private static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z")
    }

    private static func isAtomCharacter(_ s: Unicode.Scalar) -> Bool {
        isASCIIAlphanumeric(s) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(s) || isExtendedLetter(s)
    }

    private static func isEmailLocalPart(_ local: Substring.UnicodeScalarView) -> Bool {
        guard let first = local.first else { return false }
        if first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return false }
            var escaped = false
            for s in local.dropFirst().dropLast() {
                if escaped {
                    escaped = false
                    continue
                }
                if s == "\\" {
                    escaped = true
                } else if s == "\"" || s.value == 0 || s.value == 0x0A || s.value == 0x0D {
                    return false
                }
            }
            return !escaped
        }
        var atomLength = 0
        for s in local {
            if s == "." {
                guard atomLength > 0 else { return false }
                atomLength = 0
            } else if isAtomCharacter(s) {
                atomLength += 1
            } else {
                return false
            }
        }
        return atomLength > 0
    }

    private static func isEmailDomain(_ domain: Substring.UnicodeScalarView) -> Bool {
        var host = domain
        if host.last == "." { host = host.dropLast() }
        guard let dot = host.lastIndex(of: "."), dot != host.startIndex else { return false }
        let labels = host[..<dot]
        let tld = host[host.index(after: dot)...]
        // Labels: letters/digits at both ends, `- . _ ~` allowed inside.
        guard let lf = labels.first, let ll = labels.last,
            isASCIIAlphanumeric(lf) || isExtendedLetter(lf), isASCIIAlphanumeric(ll) || isExtendedLetter(ll),
            labels.allSatisfy({ isASCIIAlphanumeric($0) || isExtendedLetter($0) || "-._~".unicodeScalars.contains($0) })
        else { return false }
        // Top-level: letters at both ends, digits and `- _ ~` inside.
        guard let tf = tld.first, let tl = tld.last, isASCIILetter(tf) || isExtendedLetter(tf),
            isASCIILetter(tl) || isExtendedLetter(tl),
            tld.allSatisfy({ isASCIIAlphanumeric($0) || isExtendedLetter($0) || "-_~".unicodeScalars.contains($0) })
        else { return false }
        return true
    }

    // MARK: - Domain

    /// ozzo-validation's `is.Domain`: at most 255 bytes, dot-separated labels of 1–63 letters, digits and
    /// inner hyphens (ending in a lowercase letter or digit), then a top-level label of 1–63 ASCII letters.
    static func isDomain(_ text: String) -> Bool {
        guard text.utf8.count <= 255 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, (1...63).contains(tld.count),
            tld.unicodeScalars.allSatisfy(isASCIILetter)
        else { return false }
        for label in labels.dropLast() {
            let scalars = label.unicodeScalars
            guard let first = scalars.first, let last = scalars.last, scalars.count <= 63, isASCIIAlphanumeric(first),
                scalars.allSatisfy({ isASCIIAlphanumeric($0) || $0 == "-" })
            else { return false }
            if scalars.count > 1, !((last >= "a" && last <= "z") || (last >= "0" && last <= "9")) { return false }
        }
        return true
    }

    // MARK: - URL

    private static let schemes: Set<String> = ["ftp", "tcp", "udp", "ws", "wss", "http", "https"]

    /// A URL as govalidator's `IsURL` accepts it: an optional `ftp|tcp|udp|ws|wss|http|https` scheme,
    /// optional user info, a host (name, IPv4 or bracketed IPv6), an optional port and an optional path,
    /// query or fragment without whitespace. `example.com/a` is a URL; `mailto:x` and `http//x` are not.
    static func isURL(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard text.utf8.count > 3, scalars.count < 2083, !text.hasPrefix(".") else { return false }
        guard !scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            return false
        }
        var rest = Substring(text)
        if let separator = rest.firstRange(of: "://") {
            guard schemes.contains(rest[..<separator.lowerBound].lowercased()) else { return false }
            rest = rest[separator.upperBound...]
        } else if text.lowercased().hasPrefix("http//") || text.lowercased().hasPrefix("https//") {
            return false
        } else if !text.contains(":") {
            // Go's url.Parse reads a scheme-less, colon-less text as a bare path; govalidator refuses a path
            // with no dot in it ("nope", "localhost/x"), so a host needs a dot unless a port or scheme is given.
            let pathEnd = text.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? text.endIndex
            guard text[..<pathEnd].contains(".") else { return false }
        }
        // Authority ends at the first `/`, `?` or `#`.
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            guard at != authority.startIndex else { return false }
            authority = authority[authority.index(after: at)...]
        }
        var host = authority
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            host = host[host.index(after: close)...]
            return isPort(host)
        }
        if let colon = host.lastIndex(of: ":") {
            guard isPort(host[colon...]) else { return false }
            host = host[..<colon]
        }
        return isURLHost(host)
    }

    /// Empty, or `:` followed by 1–5 digits.
    private static func isPort(_ text: Substring) -> Bool {
        if text.isEmpty { return true }
        guard text.first == ":" else { return false }
        let digits = text.dropFirst()
        return (1...5).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func isURLHost(_ host: Substring) -> Bool {
        var name = host
        if name.last == "." { name = name.dropLast() }
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("..") else { return false }
        let scalars = name.unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
            isASCIIAlphanumeric(first) || first.value >= 0xA1, isASCIIAlphanumeric(last) || last.value >= 0xA1
        else { return false }
        return scalars.allSatisfy { isASCIIAlphanumeric($0) || $0.value >= 0xA1 || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// The host (with port) Go's `url.Parse` reports: the authority of a URL with a scheme, else empty.
    static func urlHost(_ text: String) -> String {
        guard let separator = text.firstRange(of: "://") else { return "" }
        let rest = text[separator.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") { return String(authority[authority.index(after: at)...]) }
        return String(authority)
    }
}

/// `onlyDomains`/`exceptDomains` of email and url fields: mutually exclusive lists of valid domains.
enum DomainListOptions {
    static func errors(onlyDomains: [String], exceptDomains: [String]) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if !onlyDomains.isEmpty, !exceptDomains.isEmpty {
            errors["exceptDomains"] = .mustBeBlank
            errors["onlyDomains"] = .mustBeBlank
            return errors
        }
        // Errors of list items are keyed `list.index`; the collection validator nests them.
        for (key, list) in [("onlyDomains", onlyDomains), ("exceptDomains", exceptDomains)] {
            for (i, domain) in list.enumerated() where !domain.isEmpty && !AddressFormat.isDomain(domain) {
                errors[key + "." + String(i)] = .isDomain
            }
        }
        return errors
    }
}

extension AddressFormat {
    /// Whether `text` is an email address as PocketBase's forms check it, for callers outside the core.
    package static func isValidEmail(_ text: String) -> Bool { isEmail(text) }
}
