import Foundation

/// `settings.trustedProxy`: which request headers name the client when the server sits behind a proxy, and the
/// one place that decides a request's client address from them (rate limits, logs' `userIP`, auth origins,
/// audit entries, the realtime client's address).
///
/// The rule is PocketBase's: the headers are trusted whenever they are configured (the proxy is expected to be
/// the only way in). They are tried in order; of a header's last value (the one the proxy wrote), the IPs are
/// split on commas and the rightmost valid one taken — or the leftmost with `useLeftmostIP`, which a client can
/// forge behind proxies that append to `X-Forwarded-For`. When no header gives a valid IP, the peer is the client.
public struct TrustedProxy: Sendable, Equatable {
    public let headers: [String]
    public let useLeftmostIP: Bool

    public static let none = TrustedProxy(headers: [], useLeftmostIP: false)

    public init(headers: [String], useLeftmostIP: Bool) {
        self.headers = headers.filter { !$0.isEmpty }
        self.useLeftmostIP = useLeftmostIP
    }

    /// Read from the settings document's `trustedProxy` section.
    public init(settings: JSONValue) {
        let section = settings["trustedProxy"]
        self.init(
            headers: section?["headers"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            useLeftmostIP: section?["useLeftmostIP"]?.boolValue ?? false)
    }

    public var isConfigured: Bool { !headers.isEmpty }

    /// The client address the configured headers give, or nil when none gives a valid IP (then the client is
    /// the peer). `values(name)` answers every value of the header `name`, in the order received.
    public func forwardedIP(values: (String) -> [String]) -> String? {
        for header in headers {
            guard let last = values(header).last, !last.isEmpty else { continue }
            var candidates = last.split(separator: ",", omittingEmptySubsequences: false)
            if !useLeftmostIP { candidates.reverse() }
            for candidate in candidates {
                if let address = Self.normalized(String(candidate.trimmingCharacters(in: .whitespaces))) {
                    return address
                }
            }
        }
        return nil
    }

    /// The address in PocketBase's spelling (IPv4 dotted, IPv6 as eight groups of four hex digits), nil when
    /// `text` is not an IP address.
    static func normalized(_ text: String) -> String? {
        guard !text.isEmpty, let bytes = IPAllowList.parseAddress(text) else { return nil }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { index in
            let group = String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
            return String(repeating: "0", count: 4 - group.count) + group
        }.joined(separator: ":")
    }
}
