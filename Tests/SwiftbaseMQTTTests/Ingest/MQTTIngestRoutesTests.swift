import SwiftbaseCore
import Testing

@testable import SwiftbaseMQTT

@Suite struct MQTTIngestRoutesTests {
    static let routes = MQTTIngestRoutes(
        settings: [
            "mqtt": [
                "ingest": [
                    [
                        "topic": "sensors/+/temperature", "collection": "readings",
                        "fields": ["device": "topic[1]", "celsius": "$.value", "first": "$.list[0].v", "all": "$"],
                    ],
                    ["topic": "a/#/b", "collection": "bad", "fields": [:]],
                ]
            ]
        ])

    @Test func invalidRoutesAreSkipped() {
        #expect(Self.routes.routes.map(\.collection) == ["readings"])
        #expect(Self.routes.routes(for: "sensors/d1/temperature").count == 1)
        #expect(Self.routes.routes(for: "sensors/d1/humidity").isEmpty)
    }

    @Test func fieldsComeFromTopicLevelsAndJSONPaths() throws {
        let route = try #require(Self.routes.routes.first)
        let payload = Array(#"{"value": 21.5, "list": [{"v": "x"}]}"#.utf8)
        let body = try #require(route.body(topic: "sensors/d1/temperature", payload: payload))
        #expect(body["device"] == "d1")
        #expect(body["celsius"] == 21.5)
        #expect(body["first"] == "x")
        #expect(body["all"]?["value"] == 21.5)
    }

    @Test(arguments: [#"not json"#, #"{"other": 1}"#, #"{"value": 1, "list": []}"#])
    func aSourceFindingNothingMakesNoBody(payload: String) throws {
        let route = try #require(Self.routes.routes.first)
        #expect(route.body(topic: "sensors/d1/temperature", payload: Array(payload.utf8)) == nil)
    }

    @Test(arguments: [
        ("topic[0]", MQTTIngestRoutes.Source.topicLevel(0)), ("$", .payload([])),
        ("$.a.b[2]", .payload([.key("a"), .key("b"), .index(2)])), ("$[1]", .payload([.index(1)])),
    ])
    func parsesSources(text: String, source: MQTTIngestRoutes.Source) {
        #expect(MQTTIngestRoutes.Source(text) == source)
    }

    @Test(arguments: ["topic[-1]", "topic[x]", "value", "$.", "$..a", "$[x]", "$a"])
    func refusesMalformedSources(text: String) {
        #expect(MQTTIngestRoutes.Source(text) == nil)
    }
}
