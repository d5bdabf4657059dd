import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

@Suite struct MQTTTopicPatternTests {
    static let device = AuthContext(
        .record(
            RecordModel(
                collectionId: "pbc_devices", collectionName: "devices",
                values: ["id": "dev1", "site": "north", "floor": 3, "bad": "a/b", "wild": "x+", "empty": ""])))

    @Test(arguments: [
        ("devices/{auth.id}/#", "devices/dev1/#"),
        ("{auth.collectionName}/{auth.id}/status", "devices/dev1/status"),
        ("sites/{auth.site}/floor/{auth.floor}", "sites/north/floor/3"),
        ("plain/+/topic", "plain/+/topic"),
        ("pre{auth.id}post", "predev1post"),
    ])
    func fillsPlaceholders(pattern: String, expected: String) {
        #expect(MQTTTopicPattern(pattern).filter(for: Self.device) == expected)
    }

    @Test(arguments: ["a/{auth.bad}", "a/{auth.wild}", "a/{auth.empty}", "a/{auth.missing}"])
    func valuesThatWouldWidenOrVanishMatchNothing(pattern: String) {
        #expect(MQTTTopicPattern(pattern).filter(for: Self.device) == nil)
    }

    @Test func guestsAndKeysFillNoPlaceholder() {
        #expect(MQTTTopicPattern("d/{auth.id}").filter(for: .guest) == nil)
        #expect(MQTTTopicPattern("d/{auth.id}").filter(for: AuthContext(.apiKey(APIKeyGrant(id: "k", name: "k", scopes: []))))
            == nil)
        #expect(MQTTTopicPattern("d/x").filter(for: .guest) == "d/x")
    }

    @Test(arguments: [
        ("devices/{auth.id}/#", true), ("a/#/b", false), ("a/b+", false), ("{auth.id", false), ("{user.id}/x", false),
        ("a}", false), ("{auth.}", false), ("$share/g/a", false), ("", false), ("#", true), ("+/{auth.id}", true),
    ])
    func validatesPatterns(pattern: String, valid: Bool) {
        #expect((MQTTTopicPattern.problem(in: pattern) == nil) == valid)
    }

    @Test(arguments: [
        // granted, requested, covered
        ("a/#", "a/b/c", true), ("a/#", "a", true), ("a/#", "a/#", true), ("a/#", "a/+", true),
        ("a/+", "a/b", true), ("a/+", "a/+", true), ("a/+", "a/#", false), ("a/+", "a/b/c", false),
        ("a/b", "a/+", false), ("a/b", "a/b", true), ("#", "x/y", true), ("#", "$swiftbase/records/#", false),
        ("+/records/#", "$swiftbase/records/posts/create", false), ("$swiftbase/#", "$swiftbase/records/+/create", true),
        ("a/+/c", "a/+/c", true), ("a/+/c", "a/b/#", false), ("+/#", "a", true), ("a/b/#", "a/#", false),
    ])
    func coverage(granted: String, requested: String, covered: Bool) {
        #expect(MQTTTopic.covers(granted, requested) == covered)
    }
}
