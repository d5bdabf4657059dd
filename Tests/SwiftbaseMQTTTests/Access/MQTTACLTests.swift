import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

@Suite struct MQTTACLTests {
    static let user = AuthContext(
        .record(RecordModel(collectionId: "pbc_users", collectionName: "users", values: ["id": "u1"])))
    static let superuser = AuthContext(
        .superuser(RecordModel(collectionId: "pbc_su", collectionName: "_superusers", values: ["id": "s1"])))
    static let key = AuthContext(
        .apiKey(
            APIKeyGrant(
                id: "k1", name: "k", scopes: [],
                topics: [APIKeyTopicScope(topic: "sensors/#", actions: ["publish"]), .init(topic: "cmd/+", actions: ["subscribe"])])))

    static let acl = MQTTACL(entries: [
        .init(topic: "devices/{auth.id}/#", publish: "", subscribe: ""),
        .init(topic: "public/#", publish: nil, subscribe: ""),
        .init(topic: "vip/#", publish: "@request.auth.verified = true", subscribe: "@request.auth.verified = true"),
        .init(topic: "#", publish: nil, subscribe: nil),
    ])

    @Test func firstMatchingEntryDecides() {
        #expect(Self.acl.decide(.publish, topic: "devices/u1/temp", identity: Self.user) == .allow)
        // Someone else's device subtree falls through to "#": nobody.
        #expect(Self.acl.decide(.publish, topic: "devices/u2/temp", identity: Self.user) == .deny)
        #expect(Self.acl.decide(.subscribe, topic: "public/news", identity: Self.user) == .allow)
        #expect(Self.acl.decide(.publish, topic: "public/news", identity: Self.user) == .deny)
        #expect(Self.acl.decide(.publish, topic: "vip/x", identity: Self.user) == .evaluate("@request.auth.verified = true"))
    }

    @Test func emptyRuleMeansAuthenticated() {
        #expect(Self.acl.decide(.subscribe, topic: "public/news", identity: .guest) == .deny)
    }

    @Test func noMatchDenies() {
        let acl = MQTTACL(entries: [.init(topic: "a/#", publish: "", subscribe: "")])
        #expect(acl.decide(.publish, topic: "b", identity: Self.user) == .deny)
    }

    @Test func subscriptionsNeedAnEntryCoveringTheWholeFilter() {
        #expect(Self.acl.decide(.subscribe, topic: "devices/u1/+", identity: Self.user) == .allow)
        #expect(Self.acl.decide(.subscribe, topic: "devices/+/temp", identity: Self.user) == .deny)
        #expect(Self.acl.decide(.subscribe, topic: "$share/g/devices/u1/#", identity: Self.user) == .allow)
    }

    @Test func superusersPassAndNoOneWritesTheServersTopics() {
        #expect(Self.acl.decide(.publish, topic: "anything", identity: Self.superuser) == .allow)
        #expect(Self.acl.decide(.subscribe, topic: "#", identity: Self.superuser) == .allow)
        #expect(Self.acl.decide(.publish, topic: "$swiftbase/records/posts/create", identity: Self.superuser) == .deny)
        #expect(MQTTACL(entries: []).decide(.publish, topic: "$swiftbase/x", identity: Self.user) == .deny)
    }

    @Test func apiKeysAreJudgedByTheirTopicScopesAlone() {
        #expect(Self.acl.decide(.publish, topic: "sensors/1/t", identity: Self.key) == .allow)
        #expect(Self.acl.decide(.subscribe, topic: "sensors/#", identity: Self.key) == .deny)
        #expect(Self.acl.decide(.subscribe, topic: "cmd/x", identity: Self.key) == .allow)
        #expect(Self.acl.decide(.subscribe, topic: "cmd/#", identity: Self.key) == .deny)
        // Even where the ACL would let anyone authenticated in.
        #expect(Self.acl.decide(.subscribe, topic: "public/x", identity: Self.key) == .deny)
        let bare = AuthContext(.apiKey(APIKeyGrant(id: "k2", name: "k", scopes: [])))
        #expect(MQTTACL(entries: []).decide(.publish, topic: "sensors/1", identity: bare) == .deny)
    }

    @Test func noACLKeepsEveryClientAllowed() {
        #expect(MQTTACL(entries: []).decide(.publish, topic: "x/y", identity: .guest) == .allow)
        #expect(MQTTACL(entries: []).decide(.subscribe, topic: "#", identity: Self.user) == .allow)
    }

    @Test func parsesSettingsKeepingNullRules() throws {
        let settings = try JSONValue.parse(
            #"{"mqtt": {"acl": [{"topic": "a/#", "publish": null, "subscribe": ""}]}}"#)
        #expect(MQTTACL(settings: settings).entries == [.init(topic: "a/#", publish: nil, subscribe: "")])
    }
}
