/// An `application/x-www-form-urlencoded` body read as Go's `url.ParseQuery` reads it (PocketBase's
/// form parser): pairs split on `&` (a `;` anywhere in a pair is an error), empty pairs skipped, a pair
/// without `=` has an empty value, `+` is a space and `%XX` an escaped byte in both names and values.
///
/// Unlike Go, decoded names and values must be valid UTF-8, since they become Swift strings.
enum URLEncodedForm {
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// The pairs in body order.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for segment in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard !segment.contains(UInt8(ascii: ";")) else { throw Failure(reason: "invalid semicolon separator") }
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = segment.firstIndex(of: UInt8(ascii: "=")) {
                name = segment[segment.startIndex..<equals]
                value = segment[(equals + 1)...]
            } else {
                name = segment
                value = []
            }
            pairs.append((try unescape(name), try unescape(value)))
        }
        return pairs
    }

    static func unescape(_ bytes: ArraySlice<UInt8>) throws(Failure) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex, let high = MIMEHeaderValue.hexValue(bytes[index + 1]),
                    let low = MIMEHeaderValue.hexValue(bytes[index + 2])
                else { throw Failure(reason: "invalid percent escape") }
                out.append(high << 4 | low)
                index += 3
            default:
                out.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Failure(reason: "invalid UTF-8") }
        return text
    }
}
