public import Foundation
public import SwiftbaseCore
import CoreMetrics
import NIOCore
import Synchronization

/// The realtime clients and what each is subscribed to, and the fan-out of committed changes to them. For
/// every change-log entry and every subscription that names its record (`coll/*`, `coll`, `coll/ID`, by name
/// or id), the collection's rule — `listRule` for collection topics, `viewRule` for one record — is
/// evaluated for the client's identity and the subscription's options, then its `filter`; the record is
/// presented for that client as the API presents it (`RecordPresenter`: hidden fields only for superusers,
/// emails as the API shows them, `expand` and `fields` from the options). No transport inside: a client's
/// transport either gives it a `RealtimeSink` (SSE), which the hub writes from the connection's event loop,
/// or drains its queue (WebSocket).
public final class SubscriptionHub: Sendable {
    let records: RecordService
    let presenter: RecordPresenter
    let schema: SchemaRegistry
    let clientCapacity: Int
    let idleTimeout: TimeInterval
    let maxLifetime: TimeInterval
    let metrics: RealtimeMetrics
    private let clients = Mutex<[String: RealtimeClient]>([:])
    /// One per event loop that SSE clients' sinks are on.
    private let outboxes = Mutex<[ObjectIdentifier: RealtimeLoopOutbox]>([:])

    public init(
        records: RecordService, clientCapacity: Int = 1_000, idleTimeout: TimeInterval = 300,
        maxLifetime: TimeInterval = 1_800, metrics: RealtimeMetrics = RealtimeMetrics()
    ) {
        self.records = records
        self.presenter = RecordPresenter(records: records)
        self.schema = records.registry
        self.clientCapacity = clientCapacity
        self.idleTimeout = idleTimeout
        self.maxLifetime = maxLifetime
        self.metrics = metrics
    }

    public var clientCount: Int { clients.withLock { $0.count } }

    // MARK: - Clients

    /// Registers a client; `sink` makes, from the new client's id, the sink its transport writes through
    /// (none: the transport drains `messages`).
    public func connect(remoteIP: String, sink: ((String) -> any RealtimeSink)? = nil) -> RealtimeClient {
        let id = RandomString.make(length: 40, alphabet: RandomString.alphanumeric)
        let client = RealtimeClient(id: id, remoteIP: remoteIP, capacity: clientCapacity, now: Date(), sink: sink?(id))
        clients.withLock { $0[client.id] = client }
        metrics.connectedClients.increment()
        return client
    }

    func client(id: String) -> RealtimeClient? {
        clients.withLock { $0[id] }
    }

    public func disconnect(_ client: RealtimeClient, reason: String) {
        client.close(reason: reason)
        if clients.withLock({ $0.removeValue(forKey: client.id) }) != nil { metrics.connectedClients.decrement() }
    }

    /// `POST /api/realtime`: replaces a client's subscriptions and binds the requester's identity. A guest
    /// may become authenticated; any other change of identity is refused.
    public func setSubscriptions(clientID: String, subscriptions: [String], auth: AuthContext, remoteIP: String) throws {
        guard let client = clients.withLock({ $0[clientID] }) else {
            throw SwiftbaseError.notFound("Missing or invalid client id.")
        }
        if !client.remoteIP.isEmpty, client.remoteIP != remoteIP {
            throw SwiftbaseError.badRequest("Invalid realtime client.")
        }
        if let bound = client.auth.record, bound.id != auth.record?.id || bound.collectionId != auth.record?.collectionId {
            throw SwiftbaseError.forbidden("The current and the previous request authorization don't match.")
        }
        client.replace(subscriptions: subscriptions, auth: auth)
    }

    /// Closes clients idle for `idleTimeout` or connected for `maxLifetime`, as PocketBase does (its clients
    /// reconnect and subscribe again).
    public func sweep(now: Date = Date()) {
        let expired = clients.withLock { table in
            table.values.filter {
                now.timeIntervalSince($0.lastDelivery) >= idleTimeout || now.timeIntervalSince($0.connected) >= maxLifetime
            }
        }
        for client in expired { disconnect(client, reason: "idle or too long connected") }
    }

    public func closeAll(reason: String) {
        for client in clients.withLock({ Array($0.values) }) { disconnect(client, reason: reason) }
    }

    // MARK: - Fan-out

    /// Delivers the changes of one committed transaction, in order.
    public func broadcast(transaction entries: [ChangeLogEntry]) async {
        let deleted = entries.filter { $0.action == .delete }.map(\.record)
        for entry in entries { await broadcast(entry, deletedInTransaction: entry.action == .delete ? deleted : []) }
    }

    /// Delivers one committed change to every client allowed to see it. What a client receives depends only
    /// on its identity and the subscription string (topic and options), so each such audience is judged and
    /// encoded once per change, however many clients share it. Messages for clients with a sink are added
    /// to their event loops' outboxes, once per loop, before this returns (so before the next change is judged).
    public func broadcast(_ entry: ChangeLogEntry, deletedInTransaction deleted: [RecordModel] = []) async {
        guard let collection = schema.snapshot.collection(entry.collectionId) else { return }
        if collection.isAuth { updateAuth(after: entry, in: collection) }
        let id = entry.recordId
        let prefixes = [
            collection.name + "/" + id + "?", collection.id + "/" + id + "?",
            collection.name + "/*?", collection.id + "/*?", collection.name + "?", collection.id + "?",
        ]
        let shadowed = deleted.filter { $0.id != entry.record.id || $0.collectionId != entry.collectionId }
        var messages: [Audience: RealtimeMessage?] = [:]
        var writes: [ObjectIdentifier: (loop: any EventLoop, writes: [RealtimeLoopOutbox.Write])] = [:]
        var delivered = 0
        let now = Date()
        for client in clients.withLock({ Array($0.values) }) {
            let (auth, matches) = client.subscriptions(matching: prefixes)
            for (subscription, prefix) in matches {
                let audience = Audience(identity: Self.identityKey(auth), topic: subscription.topic)
                let message: RealtimeMessage?
                if let known = messages[audience] {
                    message = known
                } else {
                    let rule = prefix < 2 ? collection.viewRule : collection.listRule
                    message = await self.message(entry, collection, for: auth, rule: rule, subscription, shadowed)
                    messages[audience] = message
                }
                guard let message else { continue }
                if let sink = client.sink {
                    let loop = sink.eventLoop
                    writes[ObjectIdentifier(loop), default: (loop, [])].writes
                        .append(RealtimeLoopOutbox.Write(client: client, sink: sink, message: message))
                    continue
                }
                switch client.send(message, now: now) {
                case .queued: delivered += 1
                case .overflowed: metrics.droppedClients.increment()
                case .closed: break
                }
            }
        }
        for (loop, writes) in writes.values { outbox(for: loop).add(writes) }
        if delivered > 0 { metrics.deliveredEvents.increment(by: Int64(delivered)) }
    }

    /// Returns once every message added so far has been written (or skipped) on its event loop.
    func settled() async {
        for outbox in outboxes.withLock({ Array($0.values) }) { try? await outbox.settled().get() }
    }

    func outbox(for loop: any EventLoop) -> RealtimeLoopOutbox {
        outboxes.withLock { outboxes in
            if let outbox = outboxes[ObjectIdentifier(loop)] { return outbox }
            let outbox = RealtimeLoopOutbox(eventLoop: loop, metrics: metrics)
            outboxes[ObjectIdentifier(loop)] = outbox
            return outbox
        }
    }

    /// Who receives a message: the identity's key and the full subscription string.
    private struct Audience: Hashable {
        let identity: String
        let topic: String
    }

    /// One string per identity a rule can tell apart: guest, a superuser, an auth record, an API key.
    private static func identityKey(_ auth: AuthContext) -> String {
        let key =
            switch auth.identity {
            case .guest: ""
            case .superuser(let record): "superuser:" + record.id
            case .record(let record): "record:" + record.collectionId + "/" + record.id
            case .apiKey(let grant): "apikey:" + grant.id
            }
        return auth.apiKey.map { key + "|apikey:" + $0.id } ?? key
    }

    /// `{"action", "record"}` for one audience, encoded once; nil when the client may not see the record.
    private func message(
        _ entry: ChangeLogEntry, _ collection: CollectionModel, for auth: AuthContext, rule: String?,
        _ subscription: RealtimeSubscription, _ deleted: [RecordModel]
    ) async -> RealtimeMessage? {
        guard let record = await presented(entry, collection, for: auth, rule: rule, subscription, deleted) else { return nil }
        return RealtimeMessage(
            name: subscription.topic,
            data: JSONValue.object(["action": .string(entry.action.rawValue), "record": record]).jsonString)
    }

    private func presented(
        _ entry: ChangeLogEntry, _ collection: CollectionModel, for auth: AuthContext, rule: String?,
        _ subscription: RealtimeSubscription, _ deleted: [RecordModel]
    ) async -> JSONValue? {
        let request = RequestInfo(
            auth: auth, query: subscription.query, headers: subscription.headers, method: "GET", context: "realtime")
        do {
            guard
                try await records.realtimeAllows(
                    entry.record, in: collection, rule: rule, filter: subscription.query["filter"] ?? "", request: request,
                    deleted: deleted)
            else { return nil }
            // A malformed `expand` delivers nothing; a malformed `fields` delivers the record unprojected.
            let fields = subscription.query["fields"].flatMap { $0.isEmpty ? nil : try? FieldsProjection.parse($0) }
            let presentation = RecordPresentation(
                expand: try RecordExpander.parse(subscription.query["expand"] ?? ""), fields: fields)
            // A deleted record is no longer stored: no manageRule can be evaluated against it.
            return try await presenter.json(
                entry.record, of: collection, for: request, presentation, checkManageRule: entry.action != .delete)
        } catch {
            return nil
        }
    }

    /// A changed or deleted auth record: clients bound to it become guests when it is gone or its `tokenKey`
    /// changed (password or email change), and otherwise see its new values.
    private func updateAuth(after entry: ChangeLogEntry, in collection: CollectionModel) {
        let bound = clients.withLock { Array($0.values) }.filter { $0.auth.record?.id == entry.recordId }
        guard !bound.isEmpty else { return }
        for client in bound {
            let old = client.auth.record?.values["tokenKey"]
            if entry.action == .delete || old != entry.record.values["tokenKey"] {
                client.clearAuth(ifRecord: entry.recordId)
            } else {
                client.setAuth(AuthService.context(for: entry.record, in: collection), ifRecord: entry.recordId)
            }
        }
    }
}
