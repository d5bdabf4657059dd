import Testing

@testable import SwiftbaseCore

@Suite("OAuth2 authorization URL")
struct OAuth2AuthorizationURLTests {
    static func provider(_ config: JSONValue) throws -> OAuth2Provider {
        try #require(OAuth2ProviderConfig(config).resolved())
    }

    @Test(arguments: [
        ("openid email profile", "openid+email+profile"), ("a/b:c", "a%2Fb%3Ac"), ("x-y_z.~", "x-y_z.~"),
        ("é", "%C3%A9"), ("a=b&c", "a%3Db%26c"),
    ])
    func escapesAsGoQueryEscape(text: String, expected: String) {
        #expect(OAuth2AuthorizationURL.escape(text) == expected)
    }

    /// The expected value was computed apart, with Python's `hashlib` and `base64.urlsafe_b64encode`.
    @Test func s256ChallengeIsUnpaddedBase64URLOfSHA256() {
        #expect(
            OAuth2AuthorizationURL.s256("dBjftJeZ4CVP-mJ92K1mQ0FbSaWgSWQ5PGGqtC5gA6Q")
                == "nZuKFhBWmSDDt8xEliyZxxeErtg-ef_mLff9wVTG2XQ")
    }

    @Test func withPKCEParametersAreSortedAndRedirectIsLeftEmpty() throws {
        let link = OAuth2AuthorizationURL(
            provider: try Self.provider(["name": "oidc", "clientId": "c 1", "authURL": "https://id.example/auth"]))
        #expect(link.state.count == 30 && link.codeVerifier.count == 43 && link.codeChallengeMethod == "S256")
        #expect(link.codeChallenge == OAuth2AuthorizationURL.s256(link.codeVerifier))
        #expect(
            link.url
                == "https://id.example/auth?client_id=c+1&code_challenge=\(link.codeChallenge)"
                + "&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state=\(link.state)"
                + "&redirect_uri=")
    }

    @Test func withoutPKCENoChallengeIsSentAndAnExistingQueryIsKept() throws {
        let link = OAuth2AuthorizationURL(
            provider: try Self.provider([
                "name": "bitbucket", "clientId": "id", "authURL": "https://b.example/auth?x=1",
            ]))
        #expect(link.codeVerifier.isEmpty && link.codeChallenge.isEmpty && link.codeChallengeMethod.isEmpty)
        #expect(
            link.url
                == "https://b.example/auth?x=1&client_id=id&response_type=code&scope=account&state=\(link.state)"
                + "&redirect_uri=")
    }

    @Test func configOverridesTheProviderDefaults() throws {
        let github = try Self.provider(["name": "github", "clientId": "id", "pkce": false, "displayName": "Hub"])
        #expect(github.authURL == "https://github.com/login/oauth/authorize" && !github.pkce && github.displayName == "Hub")
        #expect(OAuth2ProviderConfig(["name": "unknown"]).resolved() == nil)
    }

    @Test func theCatalogListsPocketBaseProvidersInOrder() {
        let names = OAuth2ProviderCatalog.all.map(\.name)
        #expect(names.count == 32 && Set(names).count == 32)
        #expect(names.prefix(3) == ["apple", "google", "microsoft"] && names.suffix(3) == ["oidc", "oidc2", "oidc3"])
    }
}
