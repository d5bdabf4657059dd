import Testing

@testable import SwiftbaseCore

@Suite("Trusted proxy")
struct TrustedProxyTests {
    func forwarded(_ proxy: TrustedProxy, _ headers: [String: [String]]) -> String? {
        proxy.forwardedIP { name in headers[name] ?? [] }
    }

    @Test func readsNothingWithoutHeaders() {
        #expect(!TrustedProxy.none.isConfigured)
        #expect(forwarded(.none, ["X-Forwarded-For": ["1.2.3.4"]]) == nil)
        #expect(!TrustedProxy(settings: SettingsShape.defaults).isConfigured)
    }

    @Test func rightmostValidIPOfTheLastValueByDefault() {
        let proxy = TrustedProxy(headers: ["X-Forwarded-For"], useLeftmostIP: false)
        #expect(forwarded(proxy, ["X-Forwarded-For": ["9.9.9.9", "1.1.1.1, 2.2.2.2 , bad"]]) == "2.2.2.2")
        #expect(forwarded(proxy, ["X-Forwarded-For": ["bad, worse"]]) == nil)
        #expect(forwarded(proxy, ["X-Forwarded-For": [""]]) == nil)
    }

    @Test func leftmostWhenAsked() {
        let proxy = TrustedProxy(headers: ["X-Forwarded-For"], useLeftmostIP: true)
        #expect(forwarded(proxy, ["X-Forwarded-For": ["junk, 1.1.1.1, 2.2.2.2"]]) == "1.1.1.1")
    }

    @Test func headersInOrderAndIPv6InFull() {
        let proxy = TrustedProxy(settings: ["trustedProxy": ["headers": ["X-Real-IP", "X-Forwarded-For"]]])
        #expect(proxy.headers == ["X-Real-IP", "X-Forwarded-For"] && !proxy.useLeftmostIP)
        #expect(forwarded(proxy, ["X-Real-IP": ["nope"], "X-Forwarded-For": ["2001:db8::1"]])
            == "2001:0db8:0000:0000:0000:0000:0000:0001")
        #expect(forwarded(proxy, ["X-Real-IP": ["10.0.0.1"], "X-Forwarded-For": ["10.0.0.2"]]) == "10.0.0.1")
    }
}
