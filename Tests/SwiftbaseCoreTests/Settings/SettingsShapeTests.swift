import Testing

@testable import SwiftbaseCore

@Suite("Settings document")
struct SettingsShapeTests {
    @Test func patchesMergeLikeGoUnmarshalOverAStruct() throws {
        let base = SettingsShape.defaults
        let merged = try SettingsShape.settings.merge(
            ["meta": ["appName": "Mine", "bogus": 1], "smtp": ["port": 2525, "host": .null], "nope": true], over: base)
        #expect(merged["meta"]?["appName"] == "Mine")
        #expect(merged["meta"]?["senderName"] == base["meta"]?["senderName"])  // untouched sibling kept
        #expect(merged["meta"]?["bogus"] == nil && merged["nope"] == nil)    // unknown keys dropped
        #expect(merged["smtp"]?["host"] == "smtp.example.com")              // null leaves a value alone
        #expect(merged["smtp"]?["port"] == 2525)
    }

    @Test func arrayElementsStartFromZeroValues() throws {
        let merged = try SettingsShape.settings.merge(
            ["rateLimits": ["rules": [["label": "/api/x", "maxRequests": 2]]]], over: SettingsShape.defaults)
        #expect(merged["rateLimits"]?["rules"] == [["label": "/api/x", "audience": "", "duration": 0, "maxRequests": 2]])
    }

    @Test(arguments: [
        ["meta": ["appName": 1]], ["rateLimits": ["enabled": "yes"]], ["smtp": ["port": 1.5]],
        ["superuserIPs": [1]], ["meta": "x"],
    ] as [JSONValue])
    func wrongTypesFailTheWholePatch(patch: JSONValue) {
        #expect(throws: SettingsShape.TypeMismatch.self) {
            _ = try SettingsShape.settings.merge(patch, over: SettingsShape.defaults)
        }
    }

    @Test func defaultsValidate() {
        #expect(SettingsValidator.errors(SettingsShape.defaults).isEmpty)
    }

    @Test(arguments: [
        ("*/5 * * * *", true), ("0 0 1 1 0", true), ("0-30/10 1,2,3 * 1-12 0-6", true), ("@daily", true),
        ("bad", false), ("* * * *", false), ("60 * * * *", false), ("* 24 * * *", false), ("* * 0 * *", false),
        ("5-1 * * * *", false), ("*/0 * * * *", false), ("@sometimes", false),
    ])
    func cronExpressions(expression: String, valid: Bool) {
        #expect(((try? CronSchedule(parsing: expression)) != nil) == valid)
    }

    @Test func ruleLookupFollowsPocketBasesPrecedence() {
        let policy = RateLimitPolicy(
            enabled: true,
            rules: [
                RateLimitRule(label: "/api/", duration: 1, maxRequests: 1),
                RateLimitRule(label: "/api/a/", duration: 1, maxRequests: 2),
                RateLimitRule(label: "GET /api/a/b", duration: 1, maxRequests: 3),
                RateLimitRule(label: "posts:list", audience: "@auth", duration: 1, maxRequests: 4),
            ], excludedIPs: IPAllowList([])!)
        func winner(_ labels: [String], auth: Bool = false) -> Int? {
            policy.rule(for: labels, isAuthenticated: auth)?.maxRequests
        }
        #expect(winner(["GET /api/a/b", "/api/a/b"]) == 3)       // exact beats prefix
        #expect(winner(["POST /api/a/b", "/api/a/b"]) == 1)      // first prefix in list order, not longest
        #expect(winner(["posts:list", "GET /api/x", "/api/x"]) == 1)   // @auth rule skipped for a guest
        #expect(winner(["posts:list", "GET /api/x", "/api/x"], auth: true) == 4)
        #expect(winner(["/health"]) == nil)
    }
}
