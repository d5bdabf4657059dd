extension StringProtocol {
    /// The text with its `%XX` escapes decoded — with `plusAsSpace`, every `+` first read as a space, as in a
    /// query string — or nil when an escape is malformed (a `%` not followed by two hex digits) or the decoded
    /// bytes are not UTF-8: what Foundation's `removingPercentEncoding` answers (except that Foundation replaces
    /// some bytes that are not UTF-8 with U+FFFD and refuses others, where this refuses them all), without
    /// Foundation, whose decoder bridges through CoreFoundation and cost a function call's route 2 % of its CPU on a
    /// path with nothing to decode (perf, release). Text without `%` (or `+`) comes back as it is.
    public func removingPercentEscapes(plusAsSpace: Bool = false) -> String? {
        let plus: UInt8? = plusAsSpace ? UInt8(ascii: "+") : nil  // the byte read as a space, if any
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == plus }) else { return String(self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(utf8.count)
        var bytes = utf8.makeIterator()
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = bytes.next().flatMap(hexDigitValue), let low = bytes.next().flatMap(hexDigitValue)
                else { return nil }
                decoded.append(high << 4 | low)
            } else if byte == plus {
                decoded.append(UInt8(ascii: " "))
            } else {
                decoded.append(byte)
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }
}

private func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
    default: nil
    }
}
