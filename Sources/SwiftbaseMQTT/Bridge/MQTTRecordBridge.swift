public import SwiftbaseCore

/// The record bridge out: every committed record change is published to
/// `$swiftbase/records/{collection}/{create|update|delete}` with the record's JSON as the REST API would show it
/// to each subscriber — and only to subscribers whose identity may view it, judged as realtime judges its
/// subscribers (`RecordService.realtimeAllows` with the collection's `viewRule`; API keys need a `view` scope
/// on the collection). Subscribing to these topics goes through the ACL like any other.
///
/// Each identity is judged and encoded once per change, however many of its clients subscribe. Messages go out
/// at QoS 1 (lower if the subscription asks); an offline persistent session queues them, judged by the identity
/// its client last connected with — except a session restored after a restart, until its client connects again.
/// `$share/…` subscriptions do not receive them.
public struct MQTTRecordBridge: Sendable {
    public static let topicPrefix = "$swiftbase/records/"

    let broker: MQTTBroker
    let records: RecordService
    let presenter: RecordPresenter
    let events: EventBus

    public init(broker: MQTTBroker, records: RecordService, presenter: RecordPresenter, events: EventBus) {
        self.broker = broker
        self.records = records
        self.presenter = presenter
        self.events = events
    }

    /// Publishes every committed change until the task is cancelled or the bus finishes.
    func run() async {
        for await entries in events.subscribeTransactions() {
            let deleted = entries.filter { $0.action == .delete }.map(\.record)
            for entry in entries {
                await publish(entry, deletedInTransaction: entry.action == .delete ? deleted : [])
            }
        }
    }

    func publish(_ entry: ChangeLogEntry, deletedInTransaction deleted: [RecordModel]) async {
        guard let collection = records.registry.snapshot.collection(entry.collectionId) else { return }
        let topic = Self.topicPrefix + collection.name + "/" + entry.action.rawValue
        let subscribers = broker.subscribers(of: topic)
        guard !subscribers.isEmpty else { return }
        let shadowed = deleted.filter { $0.id != entry.record.id || $0.collectionId != entry.collectionId }
        var audiences: [String: (identity: AuthContext, clients: Set<String>)] = [:]
        for (clientID, identity) in subscribers {
            audiences[identity.auditActor, default: (identity, [])].clients.insert(clientID)
        }
        for (_, audience) in audiences {
            guard let payload = await json(entry, collection, for: audience.identity, shadowed) else { continue }
            broker.publish(
                topic: topic, payload: payload.jsonBytes, qos: .atLeastOnce,
                properties: [.payloadFormatIndicator(1), .contentType("application/json")], to: audience.clients,
                now: .now)
        }
    }

    /// The record as `identity` may see it; nil when it may not.
    private func json(
        _ entry: ChangeLogEntry, _ collection: CollectionModel, for identity: AuthContext, _ deleted: [RecordModel]
    ) async -> JSONValue? {
        do {
            let auth = try identity.acting(.view, on: collection)
            let request = RequestInfo(auth: auth, method: "GET", context: "realtime")
            guard
                try await records.realtimeAllows(
                    entry.record, in: collection, rule: collection.viewRule, filter: "", request: request, deleted: deleted)
            else { return nil }
            return try await presenter.json(
                entry.record, of: collection, for: request, try RecordPresentation(), checkManageRule: entry.action != .delete)
        } catch {
            return nil
        }
    }
}
