import AsyncHTTPClient
import NIOCore
import NIOHTTP1
@testable import SwiftbaseServices
import Testing

/// What outbound requests may reach: public unicast addresses only, judged on every address a name resolves to.
@Suite("Outbound addresses")
struct OutboundAddressTests {
    func v6(_ groups: [UInt16]) -> [UInt8] { groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }

    @Test func onlyPublicUnicastAddressesPass() {
        let refused: [[UInt8]] = [
            [127, 0, 0, 1], [127, 9, 9, 9], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1],
            [169, 254, 169, 254], [0, 0, 0, 0], [100, 64, 0, 1], [100, 127, 255, 255], [224, 0, 0, 1],
            [255, 255, 255, 255], [198, 18, 0, 1], [192, 0, 0, 8],
            v6([0, 0, 0, 0, 0, 0, 0, 1]), v6([0, 0, 0, 0, 0, 0, 0, 0]), v6([0xfc00, 0, 0, 0, 0, 0, 0, 1]),
            v6([0xfd12, 0x3456, 0, 0, 0, 0, 0, 1]), v6([0xfe80, 0, 0, 0, 0, 0, 0, 1]), v6([0xff02, 0, 0, 0, 0, 0, 0, 1]),
            v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001]),  // ::ffff:127.0.0.1
            v6([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]),  // ::ffff:10.0.0.1
            v6([0x64, 0xff9b, 0, 0, 0, 0, 0xc0a8, 0x0101]),  // NAT64 of 192.168.1.1
        ]
        for address in refused { #expect(!OutboundAddress.isPublic(address), "\(OutboundAddress.text(address))") }
        let allowed: [[UInt8]] = [
            [1, 1, 1, 1], [8, 8, 8, 8], [172, 15, 255, 255], [172, 32, 0, 1], [100, 63, 0, 1], [100, 128, 0, 1],
            [192, 0, 2, 1], [223, 255, 255, 254],
            v6([0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888]), v6([0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808]),
        ]
        for address in allowed { #expect(OutboundAddress.isPublic(address), "\(OutboundAddress.text(address))") }
        #expect(!OutboundAddress.isPublic([1, 2, 3]))
    }

    @Test func namesAndLiteralsAreResolvedAndLoopbackIsRefused() async throws {
        #expect(try OutboundAddress.resolve("127.0.0.1") == [[127, 0, 0, 1]])
        for host in ["127.0.0.1", "localhost", "[::1]", "10.0.0.7"] {
            await #expect(throws: OutboundAddress.Refusal.self, "\(host)") {
                try await OutboundAddress.addresses(of: host, allowPrivate: false)
            }
        }
        // A public literal passes without any lookup.
        #expect(try await OutboundAddress.addresses(of: "93.184.215.14", allowPrivate: false) == [[93, 184, 215, 14]])
        // Allowed, a name's addresses come IPv4 first.
        let local = try await OutboundAddress.addresses(of: "localhost", allowPrivate: true)
        #expect(!local.isEmpty && local == local.filter { $0.count == 4 } + local.filter { $0.count == 16 })
        #expect(OutboundAddress.isLiteral("10.0.0.1") && OutboundAddress.isLiteral("::1") && !OutboundAddress.isLiteral("localhost"))
    }

    /// The resolution cache checks private addresses on every use: an answer kept for a caller that allows
    /// them is still refused to one that does not. A failure is kept and thrown again.
    @Test func cachedResolutionsAreCheckedOnEveryUse() async throws {
        let resolutions = OutboundResolutions(lifetime: .seconds(60))
        let allowed = try await resolutions.addresses(of: "localhost", allowPrivate: true)
        #expect(allowed.contains([127, 0, 0, 1]))
        await #expect(throws: OutboundAddress.Refusal.self) {
            try await resolutions.addresses(of: "localhost", allowPrivate: false)
        }
        #expect(try await resolutions.addresses(of: "localhost", allowPrivate: true) == allowed)
        for _ in 0..<2 {
            do {
                _ = try await resolutions.addresses(of: "no-such-host.invalid", allowPrivate: true)
                Issue.record("a .invalid name resolved")
            } catch {
                guard case .unresolvable(let host, _)? = error as? OutboundAddress.Refusal else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(host == "no-such-host.invalid")
            }
        }
    }
}

/// AsyncHTTPClient clients pinned to the address that was checked.
@Suite("Pinned HTTP clients")
struct PinnedHTTPClientsTests {
    @Test func aHostKeepsItsClientPrivateAddressesAreRefusedAndShutdownEndsIt() async throws {
        let receiver = try await ScriptedReceiver(script: { _, _ in .answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") })
        let clients = PinnedHTTPClients(configuration: .init(redirectConfiguration: .disallow), retireAfter: .seconds(1))
        await #expect(throws: OutboundAddress.Refusal.self) { try await clients.client(for: "localhost", allowPrivate: false) }
        let first = try await clients.client(for: "localhost", allowPrivate: true)
        let again = try await clients.client(for: "localhost", allowPrivate: true)
        #expect(first === again)
        let response = try await first.execute(HTTPClientRequest(url: "http://localhost:\(receiver.port)/pinned"), timeout: .seconds(60))
        #expect(response.status.code == 200)
        #expect(receiver.requests.first?.head.hasPrefix("GET /pinned HTTP/1.1") == true)
        await clients.shutdown()
        await #expect(throws: PinnedHTTPClients.ShuttingDown.self) { try await clients.client(for: "localhost", allowPrivate: true) }
        await receiver.shutdown()
    }
}
