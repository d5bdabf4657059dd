import Testing

@testable import SwiftbaseMQTT

@Suite struct MQTTSubscriptionTrieTests {
    static let filters = ["a/b", "a/+", "a/#", "#", "+/b", "+/+/c", "$SYS/#", "$share/g/a/+", "a/b/c/d"]

    /// The trie finds exactly the filters `MQTTTopic.matches` accepts, for every topic and filter pair.
    @Test(arguments: ["a/b", "a", "a/b/c", "x/b", "$SYS/x", "a/b/c/d", "q/w/c", "/b", "a/", "a/\u{0301}", "\u{0301}/b"])
    func agreesWithTheMatchingRule(_ topic: String) {
        var trie = MQTTSubscriptionTrie()
        for (i, filter) in Self.filters.enumerated() {
            trie.insert(clientID: "c\(i)", filter: filter, entry: .init(options: .init(filter: filter, qos: .atMostOnce)))
        }
        let found = trie.matches(topic)
        let expected = Self.filters.enumerated().filter { _, filter in
            MQTTTopic.matches(name: topic, filter: MQTTSubscriptionTrie.split(filter).filter)
                && MQTTTopic.SharedFilter(filter) == nil
        }.map { "c\($0.offset)" }
        #expect(Set(found.subscribers.map(\.clientID)) == Set(expected), "\(topic)")
        let sharedExpected = MQTTTopic.matches(name: topic, filter: "a/+")
        #expect(found.shared.count == (sharedExpected ? 1 : 0), "\(topic)")
    }

    @Test func removingPrunesAndCounts() {
        var trie = MQTTSubscriptionTrie()
        let entry = MQTTSubscriptionTrie.Entry(options: .init(filter: "a/b", qos: .atMostOnce))
        let first = trie.insert(clientID: "x", filter: "a/b", entry: entry)
        let again = trie.insert(clientID: "x", filter: "a/b", entry: entry)
        let shared = trie.insert(clientID: "x", filter: "$share/g/a/b", entry: entry)
        #expect(first && !again && shared)
        #expect(trie.count == 2)
        let removed = trie.remove(clientID: "x", filter: "a/b")
        let removedAgain = trie.remove(clientID: "x", filter: "a/b")
        let removedShared = trie.remove(clientID: "x", filter: "$share/g/a/b")
        #expect(removed && !removedAgain && removedShared)
        #expect(trie.count == 0)
        #expect(trie.matches("a/b").subscribers.isEmpty)
    }
}
