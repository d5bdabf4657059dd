public import Foundation
import Synchronization

/// Refuses password guessing: login attempts are counted per account (collection + identity) and per client
/// IP in a sliding window; past the limit, further attempts answer 429 with the seconds until the oldest
/// counted failure leaves the window. Always on, whatever the configurable rate limits say. A successful
/// login clears the account's count, so an app that logs in often is never slowed down.
///
/// An attempt counts from the moment it starts, not when its password has been checked: failures plus
/// attempts still hashing may not exceed the limit. Checking only recorded failures let a burst of
/// concurrent guesses all pass the check during the ~80 ms each bcrypt takes — sixty guesses evaluated
/// where ten are allowed, the right one among them logged in. Counting early also bounds the hashing one
/// account can cause to its limit.
///
/// The per-IP count is off by default (`maxFailuresPerIP: 0`): behind a reverse proxy every client has the
/// proxy's address, and a per-IP lock would let one attacker lock everyone out. Per-IP limits come from the
/// configurable rate limits (`*:auth`), which know about trusted proxies.
///
/// Memory is bounded: at most `capacity` keys are tracked; the stalest are forgotten first (never one with
/// an attempt under way).
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
    let clock: WallClock
    private let entries = Mutex<[String: Entry]>([:])

    /// What is known of one key: failures in the window (oldest first) and attempts not finished yet.
    struct Entry {
        var failures: [Date] = []
        var inFlight = 0
        var isEmpty: Bool { failures.isEmpty && inFlight == 0 }
    }

    /// The keys one started attempt holds a slot on.
    struct Ticket {
        let keys: [(key: String, limit: Int)]
        let account: String
    }

    public init(policy: Policy = Policy(), capacity: Int = 100_000, clock: WallClock = .system) {
        self.policy = policy
        self.capacity = capacity
        self.clock = clock
    }

    /// Runs one login attempt: throws 429 (with `retryAfter`) at once when the account or the IP has no
    /// attempt left, otherwise holds a slot while `body` checks the credentials. `body` answers nil for
    /// wrong credentials (counted as a failure) or the authenticated value (clears the account's count); if it
    /// throws — the database, a busy hasher, a cancelled task — the slot is freed and nothing is counted.
    /// The refusal is marked for the audit log as `auth.locked` on `auditTarget`.
    public func attempt<T>(account: String, ip: String, auditTarget: String, _ body: () async throws -> T?)
        async throws -> T?
    {
        let ticket: Ticket
        do {
            ticket = try begin(account: account, ip: ip)
        } catch let error as SwiftbaseError {
            throw error.audited("auth.locked", target: auditTarget)
        }
        let result: T?
        do {
            result = try await body()
        } catch {
            finish(ticket, succeeded: nil)
            throw error
        }
        finish(ticket, succeeded: result != nil)
        return result
    }

    /// Attempts under way for `account` (for tests).
    func inFlight(account: String) -> Int {
        entries.withLock { $0[Self.accountKey(account)]?.inFlight ?? 0 }
    }

    func begin(account: String, ip: String) throws -> Ticket {
        let at = clock.now
        let keys = [(Self.accountKey(account), policy.maxFailuresPerAccount), (Self.ipKey(ip), policy.maxFailuresPerIP)]
            .filter { !$0.0.isEmpty && $0.1 > 0 }
        let wait = entries.withLock { table -> TimeInterval? in
            var longest: TimeInterval?
            for (key, limit) in keys {
                var entry = table[key] ?? Entry()
                entry.failures.removeAll { at.timeIntervalSince($0) >= policy.window }
                table[key] = entry.isEmpty ? nil : entry
                guard entry.failures.count + entry.inFlight >= limit else { continue }
                // Locked by failures: until enough of them leave the window. Full of attempts still hashing:
                // they end within a second, one way or the other.
                let seconds =
                    entry.failures.count >= limit
                    ? policy.window - at.timeIntervalSince(entry.failures[entry.failures.count - limit]) : 1
                longest = max(longest ?? 0, seconds)
            }
            if longest != nil { return longest }
            for (key, _) in keys { table[key, default: Entry()].inFlight += 1 }
            if table.count > capacity { Self.evictStalest(&table, keeping: capacity * 9 / 10) }
            return nil
        }
        if let wait {
            var error = SwiftbaseError(.tooManyRequests, "Too many failed login attempts, please try again later.")
            error.retryAfter = max(1, Int(wait.rounded(.up)))
            throw error
        }
        return Ticket(keys: keys.map { (key: $0.0, limit: $0.1) }, account: Self.accountKey(account))
    }

    /// Frees the ticket's slots, recording a failure (`false`), clearing the account (`true`), or neither.
    func finish(_ ticket: Ticket, succeeded: Bool?) {
        let at = clock.now
        entries.withLock { table in
            for (key, _) in ticket.keys {
                guard var entry = table[key] else { continue }
                entry.inFlight = max(0, entry.inFlight - 1)
                if succeeded == false { entry.failures.append(at) }
                if succeeded == true, key == ticket.account { entry.failures.removeAll() }
                table[key] = entry.isEmpty ? nil : entry
            }
        }
    }

    static func accountKey(_ account: String) -> String { account.isEmpty ? "" : "a:" + account.lowercased() }
    static func ipKey(_ ip: String) -> String { ip.isEmpty ? "" : "i:" + ip }

    private static func evictStalest(_ table: inout [String: Entry], keeping count: Int) {
        let busy = table.filter { $0.value.inFlight > 0 }
        let idle = table.filter { $0.value.inFlight == 0 }
            .sorted { ($0.value.failures.last ?? .distantPast) > ($1.value.failures.last ?? .distantPast) }
        table = busy.merging(idle.prefix(max(0, count - busy.count)).map { ($0.key, $0.value) }) { kept, _ in kept }
    }
}
