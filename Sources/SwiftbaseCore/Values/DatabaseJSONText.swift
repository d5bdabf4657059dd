/// Turns JSON text the database built into the bytes `JSONWriter` writes for the same values.
///
/// The database escapes what JSON requires (quotes, backslashes, control characters, as `JSONWriter` does,
/// with lower-case hex) but not what `JSONWriter` also escapes as Go's encoder does: `<`, `>`, `&`, U+2028
/// and U+2029. Those bytes occur in the database's JSON only inside strings (keys are identifiers; numbers
/// and literals never hold them), so they are escaped wherever they occur, with no parsing.
enum DatabaseJSONText {
    /// The text's bytes as `JSONWriter` writes them, or nil when `marker` (what the dialect writes for a value
    /// it could not render) occurs anywhere — a string that merely looks like it only costs the caller the
    /// slower path.
    static func finished(_ text: String, marker: [UInt8]) -> [UInt8]? {
        var text = text
        return text.withUTF8 { bytes -> [UInt8]? in
            if contains(bytes, marker) { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 64)
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let escape: StaticString
                var width = 1
                switch bytes[index] {
                case UInt8(ascii: "<"): escape = "\\u003c"
                case UInt8(ascii: ">"): escape = "\\u003e"
                case UInt8(ascii: "&"): escape = "\\u0026"
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                escape.withUTF8Buffer { out.append(contentsOf: $0) }
                index += width
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            return out
        }
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            index += 1
        }
        return false
    }
}
