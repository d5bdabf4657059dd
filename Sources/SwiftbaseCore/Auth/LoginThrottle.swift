public import Foundation
import Synchronization

/// Refuses password guessing: failed logins are counted per account (collection + identity) and per client
/// IP in a sliding window; past the limit, further attempts answer 429 with the seconds until the oldest
/// counted failure leaves the window. Always on, whatever the configurable rate limits say, and it counts
/// failures only, so an app that logs in often is never slowed down. A successful login clears the
/// account's count.
///
/// The per-IP count is off by default (`maxFailuresPerIP: 0`): behind a reverse proxy every client has the
/// proxy's address, and a per-IP lock would let one attacker lock everyone out. Per-IP limits come from the
/// configurable rate limits (`*:auth`), which know about trusted proxies.
///
/// Memory is bounded: at most `capacity` keys are tracked; the stalest are forgotten first.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var window: TimeInterval
        public var maxFailuresPerAccount: Int
        public var maxFailuresPerIP: Int

        public init(window: TimeInterval = 600, maxFailuresPerAccount: Int = 10, maxFailuresPerIP: Int = 0) {
            self.window = window
            self.maxFailuresPerAccount = maxFailuresPerAccount
            self.maxFailuresPerIP = maxFailuresPerIP
        }
    }

    let policy: Policy
    let capacity: Int
    let now: @Sendable () -> Date
    private let failures = Mutex<[String: [Date]]>([:])

    public init(policy: Policy = Policy(), capacity: Int = 100_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.capacity = capacity
        self.now = now
    }

    /// Throws 429 when the account or the IP has used up its failures.
    public func check(account: String, ip: String) throws {
        let at = now()
        let wait = failures.withLock { table -> TimeInterval? in
            let limits = [(Self.accountKey(account), policy.maxFailuresPerAccount), (Self.ipKey(ip), policy.maxFailuresPerIP)]
            var longest: TimeInterval?
            for (key, limit) in limits where !key.isEmpty && limit > 0 {
                let recent = (table[key] ?? []).filter { at.timeIntervalSince($0) < policy.window }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    longest = max(longest ?? 0, policy.window - at.timeIntervalSince(oldest))
                }
            }
            return longest
        }
        if let wait {
            var error = SwiftbaseError(.tooManyRequests, "Too many failed login attempts, please try again later.")
            error.retryAfter = max(1, Int(wait.rounded(.up)))
            throw error
        }
    }

    public func recordFailure(account: String, ip: String) {
        let at = now()
        failures.withLock { table in
            let keys = [Self.accountKey(account), policy.maxFailuresPerIP > 0 ? Self.ipKey(ip) : ""]
            for key in keys where !key.isEmpty {
                table[key, default: []].append(at)
            }
            if table.count > capacity { Self.evictStalest(&table, keeping: capacity * 9 / 10) }
        }
    }

    public func recordSuccess(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: Self.accountKey(account)) }
    }

    static func accountKey(_ account: String) -> String { account.isEmpty ? "" : "a:" + account.lowercased() }
    static func ipKey(_ ip: String) -> String { ip.isEmpty ? "" : "i:" + ip }

    private static func evictStalest(_ table: inout [String: [Date]], keeping count: Int) {
        let newestFirst = table.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }
        table = Dictionary(uniqueKeysWithValues: newestFirst.prefix(count).map { ($0.key, $0.value) })
    }
}
