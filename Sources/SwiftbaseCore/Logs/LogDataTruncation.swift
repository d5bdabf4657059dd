/// PocketBase 0.40's bound on a log entry's `data` (`logs.maxDataSize`, 16 KiB by default): JSON over the limit
/// is read back from its first `limit` bytes — every member whose value ends within them is kept, the member
/// whose key fits but whose value is cut off is kept as `null` — and `"__pb_truncated__": true` is added. Keys
/// stay in byte order, so the flag comes first. A request's data can grow past any bound the transport sets on its
/// parts (an error's field details, for one), and a log row must not. Rare, so the members are found by reading
/// the object again here rather than tracked while every entry is written.
package enum LogDataTruncation {
    /// `data`, a compact JSON object (no white space, as the request log writes it), cut to `limit` bytes as above.
    package static func truncate(_ data: [UInt8], limit: Int) -> [UInt8] {
        var out: [UInt8] = Array("{\"__pb_truncated__\":true".utf8)
        let members = (try? StrictJSONParser.objectMembers(data)) ?? nil
        for member in members ?? [] {
            // Compact: the key's closing quote sits just before the colon before the value.
            let keyEnd = member.value.lowerBound - 1
            guard keyEnd <= limit else { break }
            out.append(UInt8(ascii: ","))
            JSONWriter.writeString(member.name, into: &out)
            out.append(UInt8(ascii: ":"))
            guard member.value.upperBound <= limit else {
                out.append(contentsOf: "null".utf8)
                break
            }
            out.append(contentsOf: data[member.value])
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
