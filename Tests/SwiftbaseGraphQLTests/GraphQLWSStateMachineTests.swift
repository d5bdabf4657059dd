import SwiftbaseCore
import Testing

@testable import SwiftbaseGraphQL

@Suite struct GraphQLWSStateMachineTests {
    static let initMessage = #"{"type":"connection_init","payload":{"Authorization":"T"}}"#

    static func subscribe(_ id: String, type: String = "subscribe") -> String {
        #"{"id":"\#(id)","type":"\#(type)","payload":{"query":"subscription { a_events { action } }","variables":{"x":1},"operationName":"S"}}"#
    }

    static func ready(_ wsProtocol: GraphQLWSProtocol, max: Int = 100) -> GraphQLWSStateMachine {
        var machine = GraphQLWSStateMachine(protocol: wsProtocol, maxOperations: max)
        _ = machine.receive(initMessage)
        return machine
    }

    // MARK: - Negotiation

    @Test(arguments: [
        ("graphql-transport-ws", GraphQLWSProtocol.transportWS), ("graphql-ws", .legacy),
        ("foo, graphql-ws, graphql-transport-ws", .legacy), (" graphql-transport-ws ,graphql-ws", .transportWS),
    ])
    func negotiatesTheClientsFirstServedProtocol(header: String, expected: GraphQLWSProtocol) {
        #expect(GraphQLWSProtocol.negotiate(header) == expected)
    }

    @Test func refusesUnknownOrMissingProtocols() {
        #expect(GraphQLWSProtocol.negotiate("mqtt, graphql") == nil)
        #expect(GraphQLWSProtocol.negotiate(nil) == nil)
    }

    // MARK: - graphql-transport-ws

    @Test func initialisationAcknowledgesWithThePayload() {
        var machine = GraphQLWSStateMachine(protocol: .transportWS)
        #expect(
            machine.receive(Self.initMessage) == [
                .initialize(payload: ["Authorization": "T"], acknowledgement: [["type": "connection_ack"]])
            ])
        #expect(machine.state == .ready)
    }

    @Test func aSecondInitialisationCloses4429() {
        var machine = Self.ready(.transportWS)
        #expect(machine.receive(Self.initMessage) == [.close(code: 4429, reason: "Too many initialisation requests")])
        #expect(machine.receive(#"{"type":"ping"}"#) == [])
    }

    @Test func subscribeBeforeInitialisationCloses4401() {
        var machine = GraphQLWSStateMachine(protocol: .transportWS)
        #expect(machine.receive(Self.subscribe("1")) == [.close(code: 4401, reason: "Unauthorized")])
        #expect(machine.state == .closed)
    }

    @Test func subscribeStartsAnOperation() {
        var machine = Self.ready(.transportWS)
        let expected = GraphQLWSOperation(
            id: "1", query: "subscription { a_events { action } }", variables: ["x": 1], operationName: "S")
        #expect(machine.receive(Self.subscribe("1")) == [.start(expected)])
        #expect(machine.running == ["1"])
    }

    @Test func aDuplicateIdCloses4409() {
        var machine = Self.ready(.transportWS)
        _ = machine.receive(Self.subscribe("1"))
        #expect(machine.receive(Self.subscribe("1")) == [.close(code: 4409, reason: "Subscriber for 1 already exists")])
    }

    @Test func completeStopsARunningOperationOnly() {
        var machine = Self.ready(.transportWS)
        _ = machine.receive(Self.subscribe("1"))
        #expect(machine.receive(#"{"id":"1","type":"complete"}"#) == [.stop(id: "1")])
        #expect(machine.receive(#"{"id":"1","type":"complete"}"#) == [])
        // The id is free again.
        #expect(machine.receive(Self.subscribe("1")).count == 1)
    }

    @Test func anEndedOperationFreesItsId() {
        var machine = Self.ready(.transportWS)
        _ = machine.receive(Self.subscribe("q"))
        machine.ended("q")
        #expect(machine.running.isEmpty)
        #expect(machine.receive(Self.subscribe("q")).first.map { if case .start = $0 { true } else { false } } == true)
    }

    @Test func pingIsAnsweredWithPongAndPongIgnored() {
        var machine = GraphQLWSStateMachine(protocol: .transportWS)
        #expect(machine.receive(#"{"type":"ping","payload":{"a":1}}"#) == [.send(["type": "pong"])])
        #expect(machine.receive(#"{"type":"pong"}"#) == [])
    }

    @Test(arguments: [
        "not json", "[]", #"{"type":5}"#, #"{"type":"start","id":"1"}"#, #"{"type":"bogus"}"#,
        #"{"type":"complete"}"#, #"{"id":"1","type":"subscribe","payload":{"variables":{}}}"#, "",
    ])
    func invalidMessagesClose4400(text: String) {
        var machine = Self.ready(.transportWS)
        #expect(machine.receive(text) == [.close(code: 4400, reason: "Invalid message received")])
        #expect(machine.state == .closed)
    }

    @Test func operationsPerConnectionAreBounded() {
        var machine = Self.ready(.transportWS, max: 2)
        _ = machine.receive(Self.subscribe("1"))
        _ = machine.receive(Self.subscribe("2"))
        let refused = machine.receive(Self.subscribe("3"))
        #expect(
            refused == [
                .send([
                    "id": "3", "type": "error",
                    "payload": [["message": "At most 2 operations run on one connection."]],
                ])
            ])
        #expect(machine.running == ["1", "2"])
    }

    @Test func resultsAreNextMessages() {
        let machine = Self.ready(.transportWS)
        #expect(machine.result("1", ["data": nil]) == ["id": "1", "type": "next", "payload": ["data": nil]])
        #expect(machine.failure("1", errors: [["message": "x"]]) == [["id": "1", "type": "error", "payload": [["message": "x"]]]])
    }

    // MARK: - graphql-ws (subscriptions-transport-ws)

    @Test func legacyInitialisationAcknowledgesAndKeepsAlive() {
        var machine = GraphQLWSStateMachine(protocol: .legacy)
        #expect(
            machine.receive(#"{"type":"connection_init"}"#) == [
                .initialize(payload: nil, acknowledgement: [["type": "connection_ack"], ["type": "ka"]])
            ])
        #expect(machine.receive(#"{"type":"connection_init"}"#) == [.send(["type": "connection_ack"])])
    }

    @Test func legacyStartAndStop() {
        var machine = Self.ready(.legacy)
        #expect(machine.receive(Self.subscribe("7", type: "start")).count == 1)
        #expect(machine.receive(#"{"id":"7","type":"stop"}"#) == [.stop(id: "7"), .send(["id": "7", "type": "complete"])])
        #expect(machine.running.isEmpty)
    }

    @Test func legacyRestartUnderTheSameIdReplacesTheOperation() {
        var machine = Self.ready(.legacy)
        _ = machine.receive(Self.subscribe("7", type: "start"))
        let actions = machine.receive(Self.subscribe("7", type: "start"))
        #expect(actions.first == .stop(id: "7"))
        #expect(actions.count == 2)
        #expect(machine.running == ["7"])
    }

    @Test func legacyInvalidMessagesAreErrorsNotClosures() {
        var machine = Self.ready(.legacy)
        #expect(
            machine.receive("{oops") == [.send(["type": "error", "payload": ["message": "Message must be JSON-parseable."]])])
        #expect(machine.receive(#"{"type":"bogus"}"#) == [.send(["type": "error", "payload": ["message": "Invalid message type!"]])])
        #expect(machine.state == .ready)
    }

    @Test func legacyFailuresAreDataWithErrorsThenComplete() {
        var machine = GraphQLWSStateMachine(protocol: .legacy)
        #expect(
            machine.receive(Self.subscribe("1", type: "start")) == [
                .send(["id": "1", "type": "data", "payload": ["errors": [["message": "Send connection_init first."]]]]),
                .send(["id": "1", "type": "complete"]),
            ])
    }

    @Test func legacyTerminateCloses() {
        var machine = Self.ready(.legacy)
        #expect(machine.receive(#"{"type":"connection_terminate"}"#) == [.close(code: 1000, reason: "Normal Closure")])
        #expect(machine.receive(Self.subscribe("1", type: "start")) == [])
    }

    @Test func legacyDoesNotTakeTransportWSMessages() {
        var machine = Self.ready(.legacy)
        #expect(machine.receive(Self.subscribe("1")) == [.send(["type": "error", "payload": ["message": "Invalid message type!"]])])
    }

    // MARK: - Credentials

    @Test func credentialIsReadFromTheInitPayload() {
        let cases: [(JSONValue?, String?)] = [
            (["Authorization": "A"], "A"), (["authorization": "B"], "B"), (["headers": ["Authorization": "C"]], "C"),
            (["headers": ["authorization": "D"]], "D"), (["Authorization": ""], nil), (["Authorization": 5], nil),
            ([:], nil), (.null, nil), (nil, nil),
        ]
        for (payload, expected) in cases {
            #expect(GraphQLWebSocket.credential(in: payload) == expected)
        }
    }
}
