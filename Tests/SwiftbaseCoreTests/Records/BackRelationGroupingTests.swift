import SwiftbaseCore
import Testing

/// `RecordExpander.group` hands each parent the back-related records that point to it, in load order, once
/// each — for single and multi relation fields alike.
@Suite struct BackRelationGroupingTests {
    private func comment(_ id: String, post: JSONValue) -> RecordModel {
        RecordModel(collectionId: "c", collectionName: "comments", values: ["id": .string(id), "post": post])
    }

    @Test func everyParentGetsItsRecordsInLoadOrderOnce() {
        let loaded = [
            comment("c1", post: .string("p1")),
            comment("c2", post: .array([.string("p2"), .string("p1"), .string("p2")])),
            comment("c3", post: .string("")),
            comment("c4", post: .null),
            comment("c5", post: .array([.string("p1")])),
        ]
        let groups = RecordExpander.group(loaded, by: "post") { .string($0.values["id"]?.stringValue ?? "?") }
        #expect(groups["p1"] == [.string("c1"), .string("c2"), .string("c5")])
        #expect(groups["p2"] == [.string("c2")])
        #expect(groups.count == 2)
    }

    @Test func eachRecordIsEncodedOnceHoweverManyParentsItHas() {
        var encoded = 0
        let loaded = [comment("c1", post: .array([.string("p1"), .string("p2"), .string("p3")]))]
        let groups = RecordExpander.group(loaded, by: "post") { _ in
            encoded += 1
            return .null
        }
        #expect(encoded == 1)
        #expect(groups.keys.sorted() == ["p1", "p2", "p3"])
    }
}
