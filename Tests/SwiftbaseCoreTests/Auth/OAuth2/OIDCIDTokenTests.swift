import Foundation
import Testing

@testable import SwiftbaseCore

/// The id_token claim checks (the signature path runs end to end in IntegrationTests/test_oauth2.py).
@Suite("OIDC id_token")
struct OIDCIDTokenTests {
    struct NoNetwork: OAuth2Transport {
        func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?)
            async throws -> OAuth2HTTPResponse
        { throw OAuth2ExchangeError("no network in this test") }
        func get(_ url: String, authorization: String?) async throws -> OAuth2HTTPResponse {
            throw OAuth2ExchangeError("no network in this test")
        }
        func downloadPublicFile(_ url: String, limit: Int) async throws -> FileUpload {
            throw OAuth2ExchangeError("no network in this test")
        }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func token(_ claims: JSONValue) -> String {
        func segment(_ value: JSONValue) -> String {
            Data(value.jsonString.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return segment(["alg": "RS256", "kid": "k"]) + "." + segment(claims) + ".c2ln"
    }

    static func validate(_ claims: JSONValue, issuers: [String] = []) async -> Bool {
        let config: JSONValue = [
            "name": "oidc", "clientId": "app", "extra": .object(["issuers": .array(issuers.map(JSONValue.string))]),
        ]
        guard let provider = OAuth2ProviderConfig(config).resolved() else { return false }
        return (try? await OIDCIDToken.validate(token(claims), provider: provider, transport: NoNetwork(), now: now)) != nil
    }

    @Test func audienceMustNameTheClient() async {
        #expect(await Self.validate(["sub": "1", "aud": "app"]))
        #expect(await Self.validate(["sub": "1", "aud": ["other", "app"]]))
        #expect(!(await Self.validate(["sub": "1", "aud": "other"])))
        #expect(!(await Self.validate(["sub": "1"])))
    }

    @Test func timesHoldWithinFiveMinutesOfLeeway() async {
        let t = Self.now.timeIntervalSince1970
        #expect(await Self.validate(["aud": "app", "exp": .number(t - 299), "iat": .number(t + 299)]))
        #expect(!(await Self.validate(["aud": "app", "exp": .number(t - 301)])))
        #expect(!(await Self.validate(["aud": "app", "iat": .number(t + 301)])))
        #expect(!(await Self.validate(["aud": "app", "nbf": .number(t + 301)])))
        #expect(!(await Self.validate(["aud": "app", "exp": "soon"])))
    }

    @Test func issuerMustBeListedWhenIssuersAreConfigured() async {
        #expect(await Self.validate(["aud": "app", "iss": "https://a"], issuers: ["https://a", "https://b"]))
        #expect(!(await Self.validate(["aud": "app", "iss": "https://c"], issuers: ["https://a"])))
        #expect(await Self.validate(["aud": "app", "iss": "https://c"]))
    }

    @Test func anEmailCountsOnlyWhenVerified() {
        let token = try? OAuth2TokenResponse(
            OAuth2HTTPResponse(status: 200, contentType: "application/json", body: Array(#"{"access_token":"t"}"#.utf8)),
            now: Self.now)
        guard let token else { Issue.record("token response not read"); return }
        for (flag, kept) in [(JSONValue.bool(true), true), ("true", true), (1, true), (false, false), ("no", false)] {
            let user = OAuth2User(claims: ["sub": "1", "email": "a@b.c", "email_verified": flag], token: token)
            #expect(user.email == (kept ? "a@b.c" : ""))
        }
    }
}
