import Foundation
import Synchronization

/// Compiled user patterns (text `pattern`, password `pattern`) shared by every request, so a pattern is
/// compiled once, not per validated value.
///
/// Patterns are matched as Go's `regexp.MatchString` does: unanchored unless the pattern anchors itself.
/// ICU and RE2 agree on the syntax patterns use in practice (classes, anchors, quantifiers, groups).
enum PatternCache {
    /// A compiled pattern. `NSRegularExpression` is immutable and documented thread-safe.
    struct Compiled: @unchecked Sendable {
        let regex: NSRegularExpression

        func matches(_ text: String) -> Bool {
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            return regex.firstMatch(in: text, options: [], range: range) != nil
        }
    }

    private static let maxEntries = 512
    private static let cache = Mutex<[String: Compiled?]>([:])

    /// The compiled pattern, or nil when it does not compile.
    static func compiled(_ pattern: String) -> Compiled? {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let compiled = (try? NSRegularExpression(pattern: pattern, options: [])).map(Compiled.init)
        cache.withLock { entries in
            if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = .some(compiled)
        }
        return compiled
    }

    /// Whether `text` matches `pattern`; a pattern that does not compile matches nothing, as in PocketBase.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        compiled(pattern)?.matches(text) ?? false
    }

    static func isValid(_ pattern: String) -> Bool {
        compiled(pattern) != nil
    }
}
