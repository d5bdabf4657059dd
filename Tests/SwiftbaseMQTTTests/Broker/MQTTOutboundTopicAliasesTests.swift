import Testing

@testable import SwiftbaseMQTT

/// The aliases the server uses towards an MQTT 5 client: set with the first PUBLISH of a topic, used alone after,
/// never more than the client allows, never reassigned, never making a packet larger than the client takes.
@Suite struct MQTTOutboundTopicAliasesTests {
    private func decoded(_ bytes: [UInt8]) throws -> MQTTPublish? {
        var decoder = MQTTPacketDecoder(version: .v5)
        decoder.append(bytes)
        guard case .publish(let publish)? = try decoder.next() else { return nil }
        return publish
    }

    private func message(_ topic: String, _ text: String = "x") -> MQTTPublish {
        MQTTPublish(topic: topic, payload: Array(text.utf8))
    }

    @Test func noTableWhenTheClientAllowsNoAliases() {
        #expect(MQTTOutboundTopicAliases(clientMaximum: nil, limit: 32, maximumPacketSize: nil) == nil)
        #expect(MQTTOutboundTopicAliases(clientMaximum: 0, limit: 32, maximumPacketSize: nil) == nil)
        #expect(MQTTOutboundTopicAliases(clientMaximum: 5, limit: 0, maximumPacketSize: nil) == nil)
        #expect(MQTTOutboundTopicAliases(clientMaximum: 100, limit: 32, maximumPacketSize: nil)?.maximum == 32)
    }

    @Test func theFirstPublishSetsTheAliasAndLaterOnesUseItAlone() throws {
        var table = try #require(MQTTOutboundTopicAliases(clientMaximum: 10, limit: 32, maximumPacketSize: nil))
        let first = try #require(try decoded(table.encode(message("sensors/kitchen/temperature", "1"))))
        #expect(first.topic == "sensors/kitchen/temperature")
        #expect(first.properties.topicAlias == 1)
        let second = try #require(try decoded(table.encode(message("sensors/kitchen/temperature", "2"))))
        #expect(second.topic == "")
        #expect(second.properties.topicAlias == 1)
        #expect(second.payload == Array("2".utf8))
        let other = try #require(try decoded(table.encode(message("sensors/hall/temperature"))))
        #expect(other.topic == "sensors/hall/temperature")
        #expect(other.properties.topicAlias == 2)
    }

    @Test func topicsPastTheMaximumGoOutWholeAndAliasesAreNotReassigned() throws {
        var table = try #require(MQTTOutboundTopicAliases(clientMaximum: 2, limit: 32, maximumPacketSize: nil))
        _ = try table.encode(message("a"))
        _ = try table.encode(message("b"))
        for _ in 0..<2 {
            let third = try #require(try decoded(table.encode(message("c"))))
            #expect(third.topic == "c")
            #expect(third.properties.topicAlias == nil)
        }
        let again = try #require(try decoded(table.encode(message("a"))))
        #expect(again.topic == "" && again.properties.topicAlias == 1)
    }

    @Test func anAliasThatWouldMakeThePacketTooLargeIsNotAdded() throws {
        let plain = try MQTTPacket.publish(message("t", "payload")).encoded(version: .v5)
        var table = try #require(
            MQTTOutboundTopicAliases(clientMaximum: 5, limit: 32, maximumPacketSize: UInt32(plain.count)))
        #expect(try table.encode(message("t", "payload")) == plain)
        // Not remembered either: the next message to the topic still carries it whole.
        #expect(try table.encode(message("t", "payload")) == plain)
    }

    @Test func theMessagesOwnPropertiesTravelWithTheAlias() throws {
        var table = try #require(MQTTOutboundTopicAliases(clientMaximum: 1, limit: 32, maximumPacketSize: nil))
        var publish = message("t")
        publish.properties = [.userProperty(name: "k", value: "v"), .subscriptionIdentifier(7)]
        _ = try table.encode(publish)
        let second = try #require(try decoded(table.encode(publish)))
        #expect(second.properties.userProperties.map(\.name) == ["k"])
        #expect(second.properties.subscriptionIdentifiers == [7])
        #expect(second.properties.topicAlias == 1)
    }
}
