package import AsyncHTTPClient
import Synchronization

/// AsyncHTTPClient clients that reach a host only at an address Swiftbase resolved and checked itself: each
/// host gets a client whose `dnsOverride` pins the name to that address (TLS still checks the certificate
/// against the name), so a DNS server answering differently when the connection is made (rebinding) cannot
/// send a request to a private address the check refused. A host's client is kept while its name resolves to
/// the same address, and replaced when it moves (the old one is closed once its requests can have ended).
package final class PinnedHTTPClients: Sendable {
    package struct ShuttingDown: Error, CustomStringConvertible {
        package var description: String { "Swiftbase is shutting down" }
    }

    private struct Pinned {
        let address: String
        let client: HTTPClient
    }

    private enum State {
        case open([String: Pinned])
        case closed
    }

    /// Clients kept for this many hosts at most (past it, one is retired to make room).
    static let maxHosts = 64
    private let state = Mutex(State.open([:]))
    private let configuration: HTTPClient.Configuration
    /// How long a replaced client stays open for the requests it may still carry.
    private let retireAfter: Duration
    /// Recent resolutions by host, so a function calling out per request does not resolve its host each time.
    private let resolutions = OutboundResolutions()

    /// `configuration` is every client's (its `dnsOverride` is set per host).
    package init(configuration: HTTPClient.Configuration, retireAfter: Duration) {
        self.configuration = configuration
        self.retireAfter = retireAfter
    }

    /// The client for `host` (as the request's URL writes it), pinned to the first of its addresses (IPv4
    /// first); throws `OutboundAddress.Refusal` when it resolves to nothing, or, unless `allowPrivate`, to any
    /// address that is not public; `ShuttingDown` after `shutdown`.
    package func client(for host: String, allowPrivate: Bool) async throws -> HTTPClient {
        let address = OutboundAddress.text(try await resolutions.addresses(of: host, allowPrivate: allowPrivate)[0])
        var retired: [HTTPClient] = []
        defer {
            for client in retired {
                Task { [retireAfter] in
                    try? await Task.sleep(for: retireAfter)
                    try? await client.shutdown()
                }
            }
        }
        return try state.withLock { state -> HTTPClient in
            guard case .open(var pinned) = state else { throw ShuttingDown() }
            if let known = pinned[host], known.address == address { return known.client }
            if let old = pinned.removeValue(forKey: host) { retired.append(old.client) }
            if pinned.count >= Self.maxHosts, let evicted = pinned.keys.first, let old = pinned.removeValue(forKey: evicted) {
                retired.append(old.client)
            }
            var configuration = configuration
            // AsyncHTTPClient matches the host as the URL writes it; an IP literal needs no pin.
            let name = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            if !OutboundAddress.isLiteral(name) { configuration.dnsOverride = [host: address] }
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            pinned[host] = Pinned(address: address, client: client)
            state = .open(pinned)
            return client
        }
    }

    /// Closes every client; later requests throw `ShuttingDown`.
    package func shutdown() async {
        let open = state.withLock { state -> [HTTPClient] in
            defer { state = .closed }
            if case .open(let pinned) = state { return pinned.values.map(\.client) }
            return []
        }
        for client in open { try? await client.shutdown() }
    }
}
