import Foundation

/// A webhook URL taken apart for sending: where to connect (scheme, host, port) and what to ask for (the
/// request target and the `Host` header). Only `http` and `https` URLs with a host make one.
struct WebhookTarget: Hashable, Sendable {
    /// Connections are shared by everything sent to one origin.
    struct Origin: Hashable, Sendable {
        var tls: Bool
        /// As written in the URL, brackets of an IPv6 literal removed; lowercased (names are case-insensitive).
        var host: String
        var port: Int
    }

    var origin: Origin
    /// The path and query (`/` when the URL has no path).
    var requestTarget: String
    /// The `Host` header: the host as written (an IPv6 literal in brackets), with the port when it is not the
    /// scheme's default.
    var hostHeader: String

    init?(url text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let rawHost = components.host, !rawHost.isEmpty
        else { return nil }
        let tls = scheme == "https"
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        guard !host.isEmpty else { return nil }
        let defaultPort = tls ? 443 : 80
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else { return nil }
        origin = Origin(tls: tls, host: host.lowercased(), port: port)
        var path = components.percentEncodedPath
        if path.isEmpty { path = "/" }
        if let query = components.percentEncodedQuery { path += "?" + query }
        requestTarget = path
        let shownHost = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == defaultPort ? shownHost : "\(shownHost):\(port)"
    }
}
