/// Extism's `allowed_hosts`: which hosts a plug-in's `http_request` may reach. A pattern is a host name
/// (matched exactly, case-insensitively), `*.domain` (any name below `domain`, not `domain` itself) or `*`.
public enum AllowedHosts {
    public static func allows(_ host: String, in patterns: [String]) -> Bool {
        let host = host.lowercased()
        return patterns.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern == "*" || pattern == host { return true }
            if pattern.hasPrefix("*.") { return host.hasSuffix(String(pattern.dropFirst(1))) }
            return false
        }
    }
}
