/// Topic names and topic filters (§4.7): what a PUBLISH may name, what a SUBSCRIBE may ask for, and whether a
/// name matches a filter.
public enum MQTTTopic {
    /// The prefix of a shared subscription's filter: `$share/{group}/{filter}` (MQTT 5.0 §4.8.2; Mosquitto and
    /// EMQX accept it from 3.1.1 clients too).
    public static let sharePrefix = "$share/"

    /// Whether `name` may be a PUBLISH topic: at least one byte and no wildcard (`+`, `#`).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") })
    }

    /// Whether `filter` may be subscribed to: at least one byte, `#` only alone as the last level, `+` only as a
    /// whole level, and a `$share/` filter with a group name (no `/`, `+`, `#`) and a valid filter after it.
    public static func isValidFilter(_ filter: String) -> Bool {
        if let shared = SharedFilter(filter) { return isValidPlainFilter(shared.filter) }
        if filter.utf8.starts(with: sharePrefix.utf8) || filter == "$share" { return false }
        return isValidPlainFilter(filter)
    }

    static func isValidPlainFilter(_ filter: String) -> Bool {
        if filter.isEmpty { return false }
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (i, level) in levels.enumerated() {
            let plus = level.contains(UInt8(ascii: "+"))
            let hash = level.contains(UInt8(ascii: "#"))
            if plus && level.count != 1 { return false }
            if hash && (level.count != 1 || i != levels.count - 1) { return false }
        }
        return true
    }

    /// A `$share/{group}/{filter}` subscription taken apart; nil for a filter that is not one (or a malformed one).
    public struct SharedFilter: Sendable, Hashable {
        public var group: String
        public var filter: String

        public init?(_ value: String) {
            // Byte-wise, as MQTT compares topics: a "/" followed by a combining mark is still a separator.
            let bytes = Array(value.utf8)
            let prefix = Array(MQTTTopic.sharePrefix.utf8)
            guard bytes.starts(with: prefix) else { return nil }
            let rest = bytes[prefix.count...]
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            let group = rest[..<slash]
            let filter = rest[(slash + 1)...]
            guard !group.isEmpty, !filter.isEmpty, !group.contains(UInt8(ascii: "+")), !group.contains(UInt8(ascii: "#"))
            else { return nil }
            self.group = String(decoding: group, as: UTF8.self)
            self.filter = String(decoding: filter, as: UTF8.self)
        }
    }

    /// The levels of a topic name or filter, split at every `/` byte (never at a `/` that Swift would group with a
    /// following combining mark into one character).
    static func levels(_ topic: String) -> [[UInt8]] {
        topic.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
    }

    /// Whether topic `name` matches `filter` (a plain filter, not `$share/…`). Wildcards at the first level do not
    /// match names that start with `$` (§4.7.2).
    public static func matches(name: String, filter: String) -> Bool {
        let n = name.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let f = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if name.utf8.first == UInt8(ascii: "$"), let first = f.first,
            first.elementsEqual("+".utf8) || first.elementsEqual("#".utf8)
        {
            return false
        }
        var i = 0
        while i < f.count {
            if f[i].elementsEqual("#".utf8) { return true }
            guard i < n.count else { return false }
            if !f[i].elementsEqual("+".utf8) && !f[i].elementsEqual(n[i]) { return false }
            i += 1
        }
        return i == n.count
    }
}
