import Foundation

/// A list of IP addresses and CIDR ranges (`203.0.113.7`, `10.0.0.0/8`, `::1`, `2001:db8::/32`) that a client
/// address must fall in. Parsing is strict: anything that is not an IPv4 or IPv6 address, optionally with a
/// prefix length in range, is refused, so a typo can never widen the list.
package struct IPAllowList: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int
    }

    let ranges: [Range]
    package let entries: [String]

    /// Nil when any entry is malformed.
    package init?(_ entries: [String]) {
        var ranges: [Range] = []
        for entry in entries {
            guard let range = Self.parseRange(entry) else { return nil }
            ranges.append(range)
        }
        self.ranges = ranges
        self.entries = entries
    }

    package var isEmpty: Bool { ranges.isEmpty }

    /// Whether `address` falls in one of the ranges. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) match IPv4
    /// ranges.
    package func contains(_ address: String) -> Bool {
        guard var bytes = Self.parseAddress(address) else { return false }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        return ranges.contains { range in
            guard range.bytes.count == bytes.count else { return false }
            var remaining = range.prefixLength
            for (a, b) in zip(range.bytes, bytes) {
                guard remaining > 0 else { return true }
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    static func parseRange(_ text: String) -> Range? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = parseAddress(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        guard parts.count == 2 else { return Range(bytes: bytes, prefixLength: maximum) }
        guard let length = Int(parts[1]), parts[1].allSatisfy(\.isASCII), (0...maximum).contains(length) else {
            return nil
        }
        return Range(bytes: bytes, prefixLength: length)
    }

    package static func parseAddress(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(Substring(text))
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
