import Foundation
import SwiftbaseCore

/// The two WebSocket sub-protocols GraphQL clients speak, by their `Sec-WebSocket-Protocol` names.
enum GraphQLWSProtocol: String, Sendable, CaseIterable {
    /// `graphql-transport-ws` (the `graphql-ws` library's protocol): `subscribe`/`next`/`error`/`complete`,
    /// `ping`/`pong`, protocol errors as close codes 44xx.
    case transportWS = "graphql-transport-ws"
    /// `graphql-ws`, the older `subscriptions-transport-ws` protocol: `start`/`data`/`error`/`complete`/`stop`,
    /// `ka` keep-alives, `connection_terminate`; protocol errors are `error` messages.
    case legacy = "graphql-ws"

    /// The first protocol of a `Sec-WebSocket-Protocol` header (comma-separated, in the client's order of
    /// preference) that is served here.
    static func negotiate(_ header: String?) -> GraphQLWSProtocol? {
        guard let header else { return nil }
        for name in header.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if let found = GraphQLWSProtocol(rawValue: trimmed) { return found }
        }
        return nil
    }
}

/// One operation a client asked for: its id on the connection and `{query, variables, operationName}`.
struct GraphQLWSOperation: Sendable, Equatable {
    var id: String
    var query: String
    var variables: JSONValue?
    var operationName: String?
}

/// What the connection's driver does after a message: send a message, resolve the identity and acknowledge,
/// start or stop an operation, or close the socket.
enum GraphQLWSAction: Sendable, Equatable {
    case send(JSONValue)
    /// Resolve the identity from `connection_init`'s payload, then send `acknowledgement`.
    case initialize(payload: JSONValue?, acknowledgement: [JSONValue])
    case start(GraphQLWSOperation)
    case stop(id: String)
    case close(code: UInt16, reason: String)
}

/// The message handling of one GraphQL WebSocket connection, for either sub-protocol, with no I/O: each
/// client message becomes actions for the driver, which tells the machine when an operation ended on the
/// server's side. Tracks the initialisation and the ids of running operations (at most `maxOperations`).
///
/// ```swift
/// var machine = GraphQLWSStateMachine(protocol: .transportWS, maxOperations: 100)
/// machine.receive(#"{"type":"connection_init"}"#)  // [.initialize(payload: nil, acknowledgement: [ack])]
/// ```
struct GraphQLWSStateMachine: Sendable {
    let wsProtocol: GraphQLWSProtocol
    let maxOperations: Int
    private(set) var state = State.awaitingInit
    /// Ids of the operations started and not yet ended.
    private(set) var running: Set<String> = []

    enum State: Sendable, Equatable { case awaitingInit, ready, closed }

    init(protocol wsProtocol: GraphQLWSProtocol, maxOperations: Int = 100) {
        self.wsProtocol = wsProtocol
        self.maxOperations = maxOperations
    }

    // MARK: - Client messages

    mutating func receive(_ text: String) -> [GraphQLWSAction] {
        guard state != .closed else { return [] }
        guard let message = (try? JSONValue.parse(text))?.objectValue, case .string(let type)? = message["type"] else {
            return invalid(
                "Invalid message received",
                legacyMessage: Self.parsed(text) == nil ? "Message must be JSON-parseable." : "Invalid message type!")
        }
        switch (wsProtocol, type) {
        case (_, "connection_init"):
            return initialize(payload: message["payload"])
        case (.transportWS, "ping"):
            return [.send(["type": "pong"])]
        case (.transportWS, "pong"):
            return []
        case (.transportWS, "subscribe"), (.legacy, "start"):
            return start(message)
        case (.transportWS, "complete"), (.legacy, "stop"):
            guard case .string(let id)? = message["id"] else {
                return invalid("Invalid message received", legacyMessage: "Invalid message type!")
            }
            guard running.remove(id) != nil else { return [] }
            // The legacy protocol's clients wait for the server's `complete` after their `stop`.
            return wsProtocol == .legacy ? [.stop(id: id), .send(Self.complete(id))] : [.stop(id: id)]
        case (.legacy, "connection_terminate"):
            return close(code: 1000, reason: "Normal Closure")
        default:
            return invalid("Invalid message received", legacyMessage: "Invalid message type!")
        }
    }

    // MARK: - Server events

    /// The operation `id` answered everything it will (a query's result, a failure): its id is free again.
    mutating func ended(_ id: String) {
        running.remove(id)
    }

    /// The messages for operation `id`'s failure before it ran: `errors` are GraphQL error objects.
    /// graphql-transport-ws sends them as one `error` message; the legacy protocol, as
    /// subscriptions-transport-ws did for invalid documents, as a result holding them followed by `complete`
    /// (its `error` message carries a single object, which clients read as one error).
    func failure(_ id: String, errors: [JSONValue]) -> [JSONValue] {
        switch wsProtocol {
        case .transportWS: [["id": .string(id), "type": "error", "payload": .array(errors)]]
        case .legacy: [result(id, ["errors": .array(errors)]), Self.complete(id)]
        }
    }

    /// One result of operation `id` (`next` or, in the legacy protocol, `data`).
    func result(_ id: String, _ payload: JSONValue) -> JSONValue {
        ["id": .string(id), "type": .string(wsProtocol == .transportWS ? "next" : "data"), "payload": payload]
    }

    static func complete(_ id: String) -> JSONValue {
        ["id": .string(id), "type": "complete"]
    }

    // MARK: - Steps

    private mutating func initialize(payload: JSONValue?) -> [GraphQLWSAction] {
        switch (state, wsProtocol) {
        case (.ready, .transportWS):
            return close(code: 4429, reason: "Too many initialisation requests")
        case (.ready, .legacy):
            return [.send(["type": "connection_ack"])]
        default:
            state = .ready
            let ack: [JSONValue] =
                wsProtocol == .transportWS ? [["type": "connection_ack"]] : [["type": "connection_ack"], ["type": "ka"]]
            return [.initialize(payload: payload, acknowledgement: ack)]
        }
    }

    private mutating func start(_ message: [String: JSONValue]) -> [GraphQLWSAction] {
        guard case .string(let id)? = message["id"], !id.isEmpty, let payload = message["payload"]?.objectValue,
            case .string(let query)? = payload["query"]
        else {
            if wsProtocol == .legacy, case .string(let id)? = message["id"] {
                return failure(id, errors: [Self.error("The payload must hold a query.")]).map(GraphQLWSAction.send)
            }
            return invalid("Invalid message received", legacyMessage: "Invalid message type!")
        }
        guard state == .ready else {
            if wsProtocol == .transportWS { return close(code: 4401, reason: "Unauthorized") }
            return failure(id, errors: [Self.error("Send connection_init first.")]).map(GraphQLWSAction.send)
        }
        var actions: [GraphQLWSAction] = []
        if running.contains(id) {
            if wsProtocol == .transportWS { return close(code: 4409, reason: "Subscriber for \(id) already exists") }
            // subscriptions-transport-ws replaces an operation started again under the same id.
            running.remove(id)
            actions.append(.stop(id: id))
        }
        guard running.count < maxOperations else {
            let message = "At most \(maxOperations) operations run on one connection."
            return actions + failure(id, errors: [Self.error(message)]).map(GraphQLWSAction.send)
        }
        running.insert(id)
        var operation = GraphQLWSOperation(id: id, query: query, variables: payload["variables"])
        if case .string(let name)? = payload["operationName"], !name.isEmpty { operation.operationName = name }
        return actions + [.start(operation)]
    }

    /// A message the protocol does not allow: graphql-transport-ws closes with 4400, the legacy protocol
    /// answers an `error` and goes on.
    private mutating func invalid(_ reason: String, legacyMessage: String) -> [GraphQLWSAction] {
        switch wsProtocol {
        case .transportWS: return close(code: 4400, reason: reason)
        case .legacy: return [.send(["type": "error", "payload": ["message": .string(legacyMessage)]])]
        }
    }

    private mutating func close(code: UInt16, reason: String) -> [GraphQLWSAction] {
        state = .closed
        running.removeAll()
        return [.close(code: code, reason: reason)]
    }

    private static func parsed(_ text: String) -> JSONValue? {
        try? JSONValue.parse(text)
    }

    static func error(_ message: String) -> JSONValue {
        ["message": .string(message)]
    }
}
