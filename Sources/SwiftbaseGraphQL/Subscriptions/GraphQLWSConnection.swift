import Foundation
import GraphQL
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import OrderedCollections
import SwiftbaseCore
import SwiftbaseHTTP
import Synchronization

/// One GraphQL WebSocket connection. Three parts run together: the reader feeds client messages to the
/// protocol's state machine and starts and stops operations; the event loop reads committed changes from
/// the event bus (after commit, in commit order) and answers each subscription the change concerns, once
/// the collection's `listRule` for the subscriber and the subscription's `where` allow it; the writer sends
/// what both queue, in order. The queue is bounded: a connection that falls `maxQueued` messages behind is
/// closed (1013) rather than allowed to grow memory. Closing the socket ends every subscription.
final class GraphQLWSConnection: Sendable {
    /// Messages waiting for the socket, at most.
    static let maxQueued = 1_000
    /// How long a `graphql-transport-ws` client has to send `connection_init` before the socket is closed
    /// with 4408, as the protocol asks (the `graphql-ws` library's default).
    static let initTimeout = Duration.seconds(3)
    /// How often a legacy `graphql-ws` connection gets a `ka` keep-alive once acknowledged.
    static let keepAliveInterval = Duration.seconds(20)

    let wsProtocol: GraphQLWSProtocol
    let services: HTTPServices
    let events: EventBus
    let executor: GraphQLExecutor
    let answers: SubscriptionAnswers
    let remoteIP: String
    let headerCredential: String?
    let maxOperations: Int
    let logger: Logger
    private let subscriptions = Mutex<[String: ActiveSubscription]>([:])
    private let started = Atomic<Int>(0)
    /// Set once `connection_init` was acknowledged.
    private let initialized = Atomic<Bool>(false)

    enum Outgoing: Sendable {
        case text(String)
        case close(code: UInt16, reason: String)
    }

    /// A running subscription: the document it runs per event and what the events are judged by (a
    /// `posts_events` subscription), or the live query it re-runs.
    struct ActiveSubscription: Sendable {
        let order: Int
        let bundle: GraphQLSchemaBundle
        let document: Document
        let request: GraphQLOperationRequest
        var context: GraphQLRequestContext
        var mapping: GraphQLErrorMapping
        var target: RecordEventsTarget?
        var live: LiveQuery? = nil

        /// The same subscription run as `auth` from now on.
        func running(as auth: AuthContext) -> ActiveSubscription {
            var copy = self
            var info = context.request
            info.auth = auth
            copy.context = GraphQLRequestContext(
                records: context.records, presenter: context.presenter, request: info,
                maxPageSize: context.maxPageSize, logger: context.logger)
            copy.mapping = GraphQLErrorMapping(
                audit: mapping.audit, auditActor: auth.auditActor, remoteIP: mapping.remoteIP, logger: mapping.logger)
            copy.target = target.map { RecordEventsTarget(shape: $0.shape, condition: $0.condition, request: info) }
            return copy
        }
    }

    /// Who the connection's next operations run as: set by `connection_init`, then following changes of its
    /// auth record as its subscriptions do.
    private let connectionAuth = Mutex(AuthContext.guest)

    init(
        wsProtocol: GraphQLWSProtocol, services: HTTPServices, events: EventBus, executor: GraphQLExecutor,
        answers: SubscriptionAnswers, remoteIP: String, headerCredential: String?, maxOperations: Int, logger: Logger
    ) {
        self.wsProtocol = wsProtocol
        self.services = services
        self.events = events
        self.executor = executor
        self.answers = answers
        self.remoteIP = remoteIP
        self.headerCredential = headerCredential
        self.maxOperations = maxOperations
        self.logger = logger
    }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let (outgoing, queue) = AsyncStream<Outgoing>.makeStream(bufferingPolicy: .bufferingOldest(Self.maxQueued))
        let overflowed = Atomic<Bool>(false)
        let send: @Sendable (Outgoing) -> Void = { message in
            if case .dropped = queue.yield(message) {
                overflowed.store(true, ordering: .relaxed)
                queue.finish()
            }
        }
        let changes = events.subscribeTransactions(bufferSize: Self.maxQueued)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.read(inbound, send: send)
                queue.finish()
            }
            group.addTask { await self.keepTime(send: send) }
            group.addTask {
                for await entries in changes { await self.deliver(entries, send: send) }
                // The bus ends at shutdown: the server is going away.
                send(.close(code: 1001, reason: "Going Away"))
                queue.finish()
            }
            for await message in outgoing {
                if overflowed.load(ordering: .relaxed) { break }
                do {
                    switch message {
                    case .text(let text):
                        try await outbound.write(.text(text))
                    case .close(let code, let reason):
                        try await outbound.close(.unknown(code), reason: reason)
                    }
                } catch {
                    break
                }
                if case .close = message { break }
            }
            if overflowed.load(ordering: .relaxed) {
                try? await outbound.close(.unknown(1013), reason: "Too slow: the message queue overflowed")
            }
            group.cancelAll()
        }
        let ended = subscriptions.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for subscription in ended { subscription.live?.stop() }
    }

    // MARK: - Client messages

    private func read(_ inbound: WebSocketInboundStream, send: @escaping @Sendable (Outgoing) -> Void) async {
        var machine = GraphQLWSStateMachine(protocol: wsProtocol, maxOperations: maxOperations)
        do {
            for try await message in inbound.messages(maxSize: GraphQLWebSocket.maxMessageSize) {
                // Both protocols speak JSON text; a binary frame is ignored.
                guard case .text(let text) = message else { continue }
                for action in machine.receive(text) {
                    switch action {
                    case .send(let value):
                        send(.text(value.jsonString))
                    case .initialize(let payload, let acknowledgement):
                        let auth = await identity(GraphQLWebSocket.credential(in: payload) ?? headerCredential)
                        connectionAuth.withLock { $0 = auth }
                        initialized.store(true, ordering: .relaxed)
                        for message in acknowledgement { send(.text(message.jsonString)) }
                    case .start(let operation):
                        let done = await start(
                            operation, auth: connectionAuth.withLock { $0 }, machine: machine, send: send)
                        if done { machine.ended(operation.id) }
                    case .stop(let id):
                        subscriptions.withLock { $0.removeValue(forKey: id) }?.live?.stop()
                    case .close(let code, let reason):
                        send(.close(code: code, reason: reason))
                        return
                    }
                }
            }
        } catch {
            logger.debug("graphql websocket read ended", metadata: ["sb.error": "\(error)"])
        }
    }

    /// The protocols' timers: a `graphql-transport-ws` client that has not initialised within `initTimeout` is
    /// closed with 4408; a legacy `graphql-ws` connection gets a `ka` every `keepAliveInterval` once
    /// acknowledged, so clients and proxies see it alive.
    private func keepTime(send: @escaping @Sendable (Outgoing) -> Void) async {
        switch wsProtocol {
        case .transportWS:
            try? await Task.sleep(for: Self.initTimeout)
            if !Task.isCancelled, !initialized.load(ordering: .relaxed) {
                send(.close(code: 4408, reason: "Connection initialisation timeout"))
            }
        case .legacy:
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.keepAliveInterval)
                if !Task.isCancelled, initialized.load(ordering: .relaxed) { send(.text(#"{"type":"ka"}"#)) }
            }
        }
    }

    private func identity(_ credential: String?) async -> AuthContext {
        guard let credential, !credential.isEmpty else { return .guest }
        do {
            let identity = try await services.identities.resolve(credential: credential, clientIP: remoteIP)
            // A superuser outside `superuserIPs` acts as no one here (HTTP answers such requests 403).
            return identity.isSuperuser && !services.settings.allowsSuperuser(from: remoteIP) ? .guest : identity
        } catch {
            logger.debug("credential not accepted, acting as guest", metadata: ["sb.error": "\(error)"])
            return .guest
        }
    }

    /// Starts an operation; true when it has already answered everything (a query, a mutation, a failure).
    private func start(
        _ operation: GraphQLWSOperation, auth: AuthContext, machine: GraphQLWSStateMachine,
        send: @escaping @Sendable (Outgoing) -> Void
    ) async -> Bool {
        let mapping = GraphQLErrorMapping(
            audit: services.audit, auditActor: auth.auditActor, remoteIP: remoteIP, logger: logger)
        let fail = { (errors: [GraphQLError]) in
            for message in machine.failure(operation.id, errors: Self.json(errors)) { send(.text(message.jsonString)) }
        }
        var request = GraphQLOperationRequest(query: operation.query)
        switch operation.variables {
        case .object(let members)?:
            for (key, value) in members { request.variables[key] = Map(value) }
        case .null?, nil:
            break
        default:
            fail([GraphQLError(message: "The variables must be a JSON object.")])
            return true
        }
        request.operationName = operation.operationName
        let context = GraphQLRequestContext(
            records: services.records, presenter: services.presenter,
            request: RequestInfo(auth: auth, method: "GET", context: "realtime"),
            maxPageSize: executor.limits.maxPageSize, logger: logger)
        let bundle: GraphQLSchemaBundle
        let document: Document
        switch executor.prepare(request) {
        case .success(let prepared):
            (bundle, document) = prepared
        case .failure(let refusal):
            fail(refusal.status == 500 ? mapping.map(refusal.errors) : refusal.errors)
            return true
        }
        let definition = GraphQLExecutor.operation(in: document, named: request.operationName)
        guard let definition, definition.operation == .subscription else {
            // Queries and mutations answer once, then complete.
            let outcome = await executor.run(request, context: context, errors: mapping, allowMutations: true)
            send(.text(machine.result(operation.id, Self.json(outcome.result)).jsonString))
            send(.text(GraphQLWSStateMachine.complete(operation.id).jsonString))
            return true
        }
        guard definition.selectionSet.selections.count == 1,
            let field = definition.selectionSet.selections.first as? Field, !field.name.value.hasPrefix("__")
        else {
            fail([GraphQLError(message: "A subscription selects exactly one root field.")])
            return true
        }
        // The first execution checks the variables and captures the root field's arguments.
        let probe = RecordEventsProbe()
        let first: GraphQLResult
        do {
            first = try await execute(
                schema: bundle.schema, documentAST: document, rootValue: probe, context: context,
                variableValues: request.variables, operationName: request.operationName)
        } catch let error as GraphQLError {
            fail([mapping.map(error)])
            return true
        } catch {
            fail([mapping.map(GraphQLError(error))])
            return true
        }
        guard first.errors.isEmpty else {
            fail(mapping.map(first.errors))
            return true
        }
        var subscription = ActiveSubscription(
            order: started.add(1, ordering: .relaxed).newValue, bundle: bundle, document: document, request: request,
            context: context, mapping: mapping, target: probe.target)
        if probe.target == nil {
            // A live query: the first execution was its first answer.
            let live = LiveQuery(
                scope: LiveQuery.scope(of: field, catalog: bundle.catalog, fragments: Self.fragments(of: document)))
            subscription.live = live
            let answer = Self.json(first)
            send(.text(machine.result(operation.id, answer).jsonString))
            subscriptions.withLock { $0[operation.id] = subscription }
            let running = subscription
            let id = operation.id
            let wsProtocol = wsProtocol
            Task {
                await live.run(
                    first: answer,
                    execute: { [weak self] in
                        // As the identity it runs as now (it follows its auth record's changes).
                        await Self.rerun(self?.subscriptions.withLock { $0[id] } ?? running)
                    },
                    send: { [weak self] result in
                        // A subscription the client completed meanwhile receives nothing more.
                        guard let self, self.subscriptions.withLock({ $0[id] != nil }) else { return }
                        send(.text(GraphQLWSStateMachine(protocol: wsProtocol).result(id, result).jsonString))
                    })
            }
            return false
        }
        subscriptions.withLock { $0[operation.id] = subscription }
        return false
    }

    /// A live query's next answer, for the identity it started with.
    private static func rerun(_ subscription: ActiveSubscription) async -> JSONValue {
        json(await run(subscription, rootValue: ()))
    }

    /// The subscription's document run once with `rootValue` (a `RecordEvent`, or nothing for a live query),
    /// its errors mapped as every GraphQL error is.
    private static func run(_ subscription: ActiveSubscription, rootValue: any Sendable) async -> GraphQLResult {
        do {
            var result = try await execute(
                schema: subscription.bundle.schema, documentAST: subscription.document, rootValue: rootValue,
                context: subscription.context, variableValues: subscription.request.variables,
                operationName: subscription.request.operationName)
            result.errors = subscription.mapping.map(result.errors)
            return result
        } catch let error as GraphQLError {
            return GraphQLResult(errors: [subscription.mapping.map(error)])
        } catch {
            return GraphQLResult(errors: [subscription.mapping.map(GraphQLError(error))])
        }
    }

    private static func fragments(of document: Document) -> [String: FragmentDefinition] {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        return fragments
    }

    // MARK: - Events

    /// Answers the subscriptions each change of one committed transaction concerns, in commit order.
    private func deliver(_ entries: [ChangeLogEntry], send: @Sendable (Outgoing) -> Void) async {
        let touched = Set(entries.map(\.collectionId))
        for live in subscriptions.withLock({ $0.values.compactMap(\.live) }) where live.concerns(touched) {
            live.changed()
        }
        let deleted = entries.filter { $0.action == .delete }.map(\.record)
        for entry in entries {
            if let collection = services.schema.snapshot.collection(entry.collectionId), collection.isAuth {
                followAuth(after: entry, in: collection)
            }
            let concerned = subscriptions.withLock { table in
                table.compactMap { id, subscription in
                    subscription.target.map { (id, subscription, $0) }
                }.filter { $0.2.shape.collection.id == entry.collectionId }.sorted {
                    $0.1.order < $1.1.order
                }
            }
            guard !concerned.isEmpty, let collection = services.schema.snapshot.collection(entry.collectionId) else {
                continue
            }
            let shadowed = deleted.filter { $0.id != entry.record.id || $0.collectionId != entry.collectionId }
            for (id, subscription, target) in concerned {
                let key = SubscriptionAnswers.Key(
                    seq: entry.seq, query: subscription.request.query,
                    variables: Map.dictionary(OrderedDictionary(uniqueKeysWithValues: subscription.request.variables.sorted {
                        $0.key < $1.key
                    })).description,
                    operationName: subscription.request.operationName, requester: Self.requester(target.request.auth))
                let payload = await answers.answer(key) { [services, logger] in
                    await Self.answer(
                        entry, collection: collection, shadowed: shadowed, subscription: subscription, target: target,
                        services: services, logger: logger)
                }
                // A subscription the client completed meanwhile receives nothing more.
                guard let payload, subscriptions.withLock({ $0[id] != nil }) else { continue }
                send(.text(Self.message(id, payload: payload, protocol: wsProtocol)))
            }
        }
    }

    /// A changed or deleted auth record, followed as realtime follows it: the connection and the subscriptions
    /// running as it become guests when it is gone or its `tokenKey` changed (a password or email change
    /// invalidates its tokens), and otherwise see its new values.
    private func followAuth(after entry: ChangeLogEntry, in collection: CollectionModel) {
        func followed(_ auth: AuthContext) -> AuthContext? {
            guard let record = auth.record, record.id == entry.recordId, record.collectionId == entry.collectionId
            else { return nil }
            if entry.action == .delete || record.values["tokenKey"] != entry.record.values["tokenKey"] { return .guest }
            return AuthService.context(for: entry.record, in: collection)
        }
        connectionAuth.withLock { auth in
            if let now = followed(auth) { auth = now }
        }
        subscriptions.withLock { table in
            for (id, subscription) in table {
                if let now = followed(subscription.context.request.auth) { table[id] = subscription.running(as: now) }
            }
        }
    }

    /// The payload one subscription gets for a change, or nil when its rule or `where` leaves the change out.
    private static func answer(
        _ entry: ChangeLogEntry, collection: CollectionModel, shadowed: [RecordModel], subscription: ActiveSubscription,
        target: RecordEventsTarget, services: HTTPServices, logger: Logger
    ) async -> String? {
        do {
            let allowed = try await services.records.realtimeAllows(
                entry.record, in: collection, rule: collection.listRule, filter: "", request: target.request,
                deleted: entry.action == .delete ? shadowed : [], condition: target.condition)
            guard allowed else { return nil }
        } catch {
            logger.debug("graphql subscription event not judged", metadata: ["sb.error": "\(error)"])
            return nil
        }
        let event = RecordEvent(action: entry.action.rawValue, record: entry.record, request: target.request)
        let result = await run(subscription, rootValue: event)
        return (try? GraphQLResultWriter.json(result)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Who a requester is for sharing answers: the same text means the same rules and the same presentation.
    static func requester(_ auth: AuthContext) -> String {
        switch auth.identity {
        case .guest: return "guest"
        case .apiKey(let grant): return "apikey:" + grant.id
        case .superuser(let record), .record(let record):
            let version = record.values["updated"]?.stringValue ?? ""
            return auth.auditActor + "@" + version + (auth.isSuperuser ? "!" : "")
        }
    }

    /// A `next` (legacy: `data`) message around an already encoded payload.
    static func message(_ id: String, payload: String, protocol wsProtocol: GraphQLWSProtocol) -> String {
        var idText: [UInt8] = []
        JSONWriter.writeString(id, into: &idText)
        let type = wsProtocol == .transportWS ? "next" : "data"
        return #"{"id":"# + String(decoding: idText, as: UTF8.self) + #","type":""# + type + #"","payload":"# + payload + "}"
    }

    // MARK: - Encoding

    static func json(_ result: GraphQLResult) -> JSONValue {
        guard let data = try? GraphQLJSONEncoder().encode(result), let value = try? JSONValue.parse(data) else {
            return ["errors": [["message": "Something went wrong while processing your request."]]]
        }
        return value
    }

    static func json(_ errors: [GraphQLError]) -> [JSONValue] {
        json(GraphQLResult(errors: errors))["errors"]?.arrayValue ?? []
    }
}
