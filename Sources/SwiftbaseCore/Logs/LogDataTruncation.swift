/// PocketBase 0.40's bound on a log entry's `data` (`logs.maxDataSize`, 16 KiB by default): JSON over the limit
/// is read back from its first `limit` bytes — every member whose value ends within them is kept, the member
/// whose key fits but whose value is cut off is kept as `null` — and `"__pb_truncated__": true` is added. Keys
/// stay in byte order, so the flag comes first. A request's data can grow past any bound the transport sets on its
/// parts (an error's field details, for one), and a log row must not.
package enum LogDataTruncation {
    /// Where one member of the written object lies: its key from `start` (the opening quote) to `keyEnd` (after
    /// the closing quote), its value up to `valueEnd`.
    package struct Member: Sendable {
        var start: Int
        var keyEnd: Int
        var valueEnd: Int
    }

    /// The members of `data` (an object written member by member, `members` its layout) that fit in `limit`
    /// bytes, with the flag; see the type.
    package static func truncate(_ data: [UInt8], members: [Member], limit: Int) -> [UInt8] {
        var out: [UInt8] = Array("{\"__pb_truncated__\":true".utf8)
        for member in members {
            guard member.keyEnd <= limit else { break }
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: data[member.start..<member.keyEnd])
            out.append(UInt8(ascii: ":"))
            guard member.valueEnd <= limit else {
                out.append(contentsOf: "null".utf8)
                break
            }
            out.append(contentsOf: data[(member.keyEnd + 1)..<member.valueEnd])
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
