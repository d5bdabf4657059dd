import Testing

@testable import SwiftbaseCore

@Suite("OAuth2 options validation")
struct OAuth2OptionsValidationTests {
    static func errors(_ options: JSONValue) -> [String: String] {
        var tree = ErrorTree()
        OAuth2OptionsValidation.validate(options, into: &tree)
        return Dictionary(uniqueKeysWithValues: tree.items.map { ($0.path.joined(separator: "."), $0.item.code) })
    }

    @Test func disabledOptionsAreNotChecked() {
        #expect(Self.errors(["enabled": false, "providers": [["name": "nope"]]]).isEmpty)
    }

    @Test func eachProviderNeedsAKnownNameCredentialsAndURLs() {
        let found = Self.errors([
            "enabled": true,
            "providers": [
                ["name": "nope", "clientId": "a", "clientSecret": "b"],
                ["name": "", "clientId": "", "clientSecret": "s", "tokenURL": "not a url"],
                ["name": "oidc", "clientId": "a", "clientSecret": "b", "authURL": "https://id.example/a"],
            ],
        ])
        #expect(
            found == [
                "oauth2.providers.0.name": "validation_missing_provider",
                "oauth2.providers.1.name": "validation_required",
                "oauth2.providers.1.clientId": "validation_required",
                "oauth2.providers.1.tokenURL": "validation_is_url",
            ])
    }

    @Test func aDuplicateIsReportedAlone() {
        let twice: JSONValue = ["name": "oidc", "clientId": "", "clientSecret": ""]
        #expect(
            Self.errors(["enabled": true, "providers": [twice, twice]])
                == ["oauth2.providers.1.name": "validation_duplicated_provider"])
    }
}
