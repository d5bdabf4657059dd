public import Foundation
public import SwiftbaseCore
import Synchronization

/// Counts requests per client address against the settings' rate-limit rules, in fixed windows of whole
/// seconds as PocketBase does: a window opens with a client's first request and allows `maxRequests` until
/// `duration` seconds have passed. Counters live per limiter id — the rule (label + audience) on plain
/// routes, the collection + route + tags on collection routes — and are all dropped whenever the settings
/// are saved.
///
/// Memory is bounded: past `capacity` counters, those whose window ended longest ago are dropped first.
public final class RateLimiter: Sendable {
    struct Window {
        var start: Int64
        var remaining: Int
    }

    private let settings: SettingsService
    private let policy: Mutex<RateLimitPolicy>
    private let windows = Mutex<[String: Window]>([:])
    let capacity: Int
    let now: @Sendable () -> Date

    public init(settings: SettingsService, capacity: Int = 200_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.capacity = capacity
        self.now = now
        policy = Mutex(settings.rateLimitPolicy)
        settings.onChange { [weak self] _ in self?.reload() }
    }

    private func reload() {
        let fresh = settings.rateLimitPolicy
        policy.withLock { $0 = fresh }
        windows.withLock { $0.removeAll() }
    }

    /// Whether any rule may limit requests now; when not, callers skip building the labels.
    var isEnabled: Bool { policy.withLock { $0.enabled } }

    /// Throws PocketBase's 429 when the request is over its rule's limit. Superusers and excluded addresses are
    /// never limited; `limiterID` nil means "one counter per rule".
    func check(labels: [String], auth: AuthContext, clientIP: String, limiterID: String?) throws {
        let current = policy.withLock { $0 }
        guard current.enabled, !auth.isSuperuser, !clientIP.isEmpty, !current.excludedIPs.contains(clientIP) else {
            return
        }
        guard let rule = current.rule(for: labels, isAuthenticated: auth.isAuthenticated) else { return }
        let key = (limiterID ?? rule.label) + rule.audience + "|" + clientIP
        let second = Int64(now().timeIntervalSince1970)
        // nil when allowed; otherwise when the client's window opened.
        let refusedWindowStart = windows.withLock { table -> Int64? in
            var window = table[key] ?? Window(start: 0, remaining: 0)
            if second - window.start >= Int64(rule.duration) {
                window = Window(start: second, remaining: rule.maxRequests)
            }
            let allowed = window.remaining > 0
            if allowed { window.remaining -= 1 }
            table[key] = window
            if table.count > capacity {
                let keep = table.sorted { $0.value.start > $1.value.start }.prefix(capacity * 9 / 10)
                table = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
            return allowed ? nil : window.start
        }
        if let start = refusedWindowStart {
            var error = SwiftbaseError(.tooManyRequests, "Too Many Requests.")
            error.retryAfter = max(1, Int(Int64(rule.duration) - (second - start)))
            throw error
        }
    }

    /// The route-level check of collection routes: tags first (`<collection>:<tag>`, then `*:<tag>`), then
    /// `METHOD /path` and `/path`; one counter per collection, route and tags.
    public func checkCollectionRoute(
        collection: CollectionModel, route: String, tags: [String], method: String, path: String, auth: AuthContext,
        clientIP: String
    ) throws {
        guard isEnabled else { return }
        let labels = tags.map { collection.name + ":" + $0 } + tags.map { "*:" + $0 } + [method + " " + path, path]
        try check(
            labels: labels, auth: auth, clientIP: clientIP, limiterID: collection.id + route + tags.joined())
    }
}
