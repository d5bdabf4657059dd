import Synchronization

/// Recent answers of `OutboundAddress.addresses(of:allowPrivate:)` by host, kept for `lifetime`, so a busy
/// outbound path (a webhook's new connections, a function's `http_request`) does not resolve its host for every
/// request. A failure is kept too: a host that does not resolve is not asked again for every message. The
/// private-address check runs on every use, so one cache serves callers that allow private targets and callers
/// that do not.
package final class OutboundResolutions: Sendable {
    private let known = Mutex([String: (until: ContinuousClock.Instant, addresses: Result<[OutboundAddress.Bytes], any Error>)]())
    private let lifetime: Duration
    /// Hosts kept at most; past it the cache starts over.
    static let maxHosts = 1_000

    package init(lifetime: Duration = .seconds(10)) {
        self.lifetime = lifetime
    }

    /// `host`'s addresses, IPv4 first, from the cache while fresh; throws what resolving threw, or (unless
    /// `allowPrivate`) a `Refusal` naming an address that is not public.
    package func addresses(of host: String, allowPrivate: Bool) async throws -> [OutboundAddress.Bytes] {
        let now = ContinuousClock.now
        let cached = known.withLock { $0[host] }.flatMap { $0.until > now ? $0.addresses : nil }
        let result: Result<[OutboundAddress.Bytes], any Error>
        if let cached {
            result = cached
        } else {
            do { result = .success(try await OutboundAddress.addresses(of: host, allowPrivate: true)) } catch { result = .failure(error) }
            known.withLock { known in
                if known.count >= Self.maxHosts { known.removeAll() }
                known[host] = (now + lifetime, result)
            }
        }
        let addresses = try result.get()
        if !allowPrivate { try OutboundAddress.requirePublic(addresses, of: host) }
        return addresses
    }
}
