import Testing

@testable import SwiftbaseCore

@Suite("IP allow-list")
struct IPAllowListTests {
    @Test(arguments: [
        (["127.0.0.1"], "127.0.0.1", true), (["127.0.0.1"], "127.0.0.2", false),
        (["10.0.0.0/8"], "10.255.1.2", true), (["10.0.0.0/8"], "11.0.0.1", false),
        (["192.168.1.128/25"], "192.168.1.200", true), (["192.168.1.128/25"], "192.168.1.100", false),
        (["0.0.0.0/0"], "8.8.8.8", true), (["::1"], "::1", true), (["::1"], "127.0.0.1", false),
        (["2001:db8::/32"], "2001:db8:ffff::1", true), (["2001:db8::/32"], "2001:db9::1", false),
        (["10.0.0.0/8"], "::ffff:10.1.2.3", true), (["fe80::/10"], "fe80::1%eth0", true),
        (["127.0.0.1"], "not an ip", false), ([], "127.0.0.1", false),
    ])
    func matches(entries: [String], address: String, expected: Bool) throws {
        let list = try #require(IPAllowList(entries))
        #expect(list.contains(address) == expected)
    }

    @Test(arguments: [
        "localhost", "10.0.0.0/33", "10.0.0/8", "010.0.0.1", "1.2.3.4/", "1.2.3.4/-1", "256.0.0.1", "::1/129",
        "1::2::3", "12345::", "", "1.2.3.4/8/8", "1.2.3.4 ",
    ])
    func refusesMalformedEntries(entry: String) {
        #expect(IPAllowList([entry]) == nil)
    }
}
