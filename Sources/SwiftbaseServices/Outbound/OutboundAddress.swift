#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftbaseCore

/// Where an outbound request (a webhook delivery, later a function's `http_request`) may go. A host is
/// resolved when the request is made, and refused when any address it resolves to is not a public one —
/// loopback, private (RFC 1918, carrier-grade NAT), link-local, unique-local, unspecified, multicast or
/// reserved — so a webhook cannot be pointed at the server's own network (server-side request forgery).
///
/// Outbound requests connect to the very addresses that were checked — webhook delivery's own connections, and
/// AsyncHTTPClient pinned per host (`PinnedHTTPClients`: functions' `http_request`, OAuth2 avatar downloads) —
/// so a DNS server that answers differently the second time (rebinding) cannot move them.
package enum OutboundAddress {
    /// An address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    package typealias Bytes = [UInt8]

    package enum Refusal: Error, Equatable, CustomStringConvertible {
        case unresolvable(host: String, reason: String)
        case privateAddress(host: String, address: String)

        package var description: String {
            switch self {
            case .unresolvable(let host, let reason): "The host \(host) could not be resolved: \(reason)."
            case .privateAddress(let host, let address):
                "Refused: \(host) resolves to \(address), a loopback, private or link-local address "
                    + "(set webhooks.allowPrivateTargets in the settings to allow it)."
            }
        }
    }

    /// The addresses `host` resolves to, to connect to them, IPv4 ones first (a server without an IPv6 route
    /// reaches a dual-stack name at once); throws a `Refusal` when it resolves to none, or, unless
    /// `allowPrivate`, when any of them is not public. Resolving blocks, so it runs off the async threads.
    package static func addresses(of host: String, allowPrivate: Bool) async throws -> [Bytes] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await BlockingWork.run { try resolve(name) }
        if !allowPrivate { try requirePublic(addresses, of: host) }
        return addresses.filter { $0.count == 4 } + addresses.filter { $0.count != 4 }
    }

    /// Throws a `Refusal` naming the first of `host`'s `addresses` that is not public.
    package static func requirePublic(_ addresses: [Bytes], of host: String) throws {
        if let blocked = addresses.first(where: { !isPublic($0) }) {
            throw Refusal.privateAddress(host: host, address: text(blocked))
        }
    }

    /// Whether `host` is an IPv4 or IPv6 literal rather than a name.
    package static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Every address `host` resolves to (an IP literal resolves to itself).
    package static func resolve(_ host: String) throws -> [Bytes] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw Refusal.unresolvable(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var out: [Bytes] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                        var raw = ipv4.pointee.sin_addr
                        out.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                        var raw = ipv6.pointee.sin6_addr
                        out.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        if out.isEmpty { throw Refusal.unresolvable(host: host, reason: "no IPv4 or IPv6 address") }
        return out
    }

    /// Whether an address is a public unicast one.
    package static func isPublic(_ address: Bytes) -> Bool {
        if address.count == 4 { return isPublicIPv4(address) }
        guard address.count == 16 else { return false }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses are judged as the IPv4 address.
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPublicIPv4(Array(address[12..<16]))
        }
        if address[0..<12].allSatisfy({ $0 == 0 }) { return false }  // ::, ::1 and the deprecated compatible form
        if address[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique-local
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if address[0] == 0xFE && address[1] & 0xC0 == 0xC0 { return false }  // fec0::/10 site-local (deprecated)
        if address[0] == 0xFF { return false }  // multicast
        if address[0] == 0x00 && address[1] == 0x64 && address[2] == 0xFF && address[3] == 0x9B {
            return isPublicIPv4(Array(address[12..<16]))  // 64:ff9b::/96, NAT64 of an IPv4 address
        }
        return true
    }

    static func isPublicIPv4(_ a: Bytes) -> Bool {
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): return false  // "this network", private, loopback
        case (100, 64...127): return false  // carrier-grade NAT
        case (169, 254): return false  // link-local
        case (172, 16...31), (192, 168): return false  // private
        case (192, 0) where a[2] == 0: return false  // IETF protocol assignments
        case (198, 18...19): return false  // benchmarking
        case (224...255, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }

    /// Dotted IPv4 or hex-grouped IPv6, for messages.
    static func text(_ address: Bytes) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2)
            .map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
