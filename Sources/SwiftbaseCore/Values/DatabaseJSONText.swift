/// Turns JSON text the database built into the bytes `JSONWriter` writes for the same values.
///
/// The database escapes what JSON requires (quotes, backslashes, control characters, as `JSONWriter` does,
/// with lower-case hex) but not what `JSONWriter` also escapes as Go's encoder does: `<`, `>`, `&`, U+2028
/// and U+2029. Those bytes occur in the database's JSON only inside strings (keys are identifiers; numbers
/// and literals never hold them), so they are escaped wherever they occur, with no parsing.
enum DatabaseJSONText {
    /// The text's bytes as `JSONWriter` writes them, or nil when `marker` (what the dialect writes for a value
    /// it could not render, starting with a backslash) occurs anywhere — a string that merely looks like it
    /// only costs the caller the slower path. One pass: a byte that needs a look is found through a table.
    static func finished(_ text: String, marker: [UInt8]) -> [UInt8]? {
        var text = text
        return text.withUTF8 { bytes -> [UInt8]? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 64)
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                guard needsLook[Int(byte)] else {
                    index += 1
                    continue
                }
                let escape: StaticString
                var width = 1
                switch byte {
                case UInt8(ascii: "\\"):
                    if startsWith(bytes, at: index, marker) { return nil }
                    // An escape: its second byte is never one of ours, skip both.
                    index += 2
                    continue
                case UInt8(ascii: "<"): escape = "\\u003c"
                case UInt8(ascii: ">"): escape = "\\u003e"
                case UInt8(ascii: "&"): escape = "\\u0026"
                default:  // 0xE2
                    guard index + 2 < count, bytes[index + 1] == 0x80,
                        bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                    else {
                        index += 1
                        continue
                    }
                    escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                escape.withUTF8Buffer { out.append(contentsOf: $0) }
                index += width
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            return out
        }
    }

    /// The bytes the loop stops at: a backslash (an escape, perhaps the marker), `<`, `>`, `&` and 0xE2 (the
    /// first byte of U+2028 and U+2029).
    private static let needsLook: [Bool] = (0..<256).map { byte in
        [UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), 0xE2].contains(UInt8(byte))
    }

    private static func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, index + needle.count <= bytes.count else { return false }
        for offset in 0..<needle.count where bytes[index + offset] != needle[offset] { return false }
        return true
    }
}
