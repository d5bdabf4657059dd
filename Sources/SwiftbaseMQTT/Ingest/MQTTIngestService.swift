public import CoreMetrics
public import Logging
public import SwiftbaseCore
import Synchronization

/// Ingest into records and points: each PUBLISH the access control allowed whose topic matches an `mqtt.ingest` route (see
/// `MQTTIngestRoutes`) becomes a record of the route's collection, created through `RecordService` with the
/// publisher's identity — so the collection's `createRule` (or an API key's `create` scope) decides, as for a
/// REST create. The message is routed to subscribers either way.
///
/// Off the broker's path: messages wait in a bounded queue (10,000) drained by one task, in arrival order. A
/// message that cannot become a record (no value where a field's source points, a rule refusing, a field
/// invalid) is counted in `swiftbase_mqtt_ingest_failures_total` and logged at debug; a full queue counts it in
/// `swiftbase_mqtt_ingest_dropped_total`. Nothing of it reaches the publisher or ends its session. How far ingest
/// trails the broker shows as `swiftbase_mqtt_ingest_queued` (messages waiting) and
/// `swiftbase_mqtt_ingest_lag_seconds`, the time from a message's arrival to its record's commit (for a batch of
/// points, its oldest message's).
///
/// A route into a `timeseries` collection makes points instead, batched for a short window (`MQTTPointBatcher`);
/// a point whose route maps no value to the time field gets the time the message was handled.
public final class MQTTIngestService: Sendable {
    struct Item: Sendable {
        var topic: String
        var payload: [UInt8]
        var identity: AuthContext
        var received: ContinuousClock.Instant
    }

    let records: RecordService
    let logger: Logger
    private let routes: Mutex<MQTTIngestRoutes>
    private let queue: AsyncStream<Item>.Continuation
    private let items: Mutex<AsyncStream<Item>?>
    let created: Counter
    let failures: Counter
    let dropped: Counter
    let queued: Meter
    let lag: Timer
    let points = MQTTPointBatcher()

    public init(
        settings: SettingsService, records: RecordService, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.records = records
        self.logger = logger
        routes = Mutex(MQTTIngestRoutes(settings: settings.snapshot))
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingOldest(10_000))
        queue = continuation
        items = Mutex(stream)
        created = Counter(label: "swiftbase_mqtt_ingest_records_total", factory: metrics)
        failures = Counter(label: "swiftbase_mqtt_ingest_failures_total", factory: metrics)
        dropped = Counter(label: "swiftbase_mqtt_ingest_dropped_total", factory: metrics)
        queued = Meter(label: "swiftbase_mqtt_ingest_queued", factory: metrics)
        lag = Timer(label: "swiftbase_mqtt_ingest_lag_seconds", factory: metrics)
        settings.onChange { [weak self] json in
            let parsed = MQTTIngestRoutes(settings: json)
            self?.routes.withLock { $0 = parsed }
        }
    }

    /// Queues a routed message when a route matches its topic (cheap when none does).
    func offer(topic: String, payload: [UInt8], identity: AuthContext) {
        guard routes.withLock({ $0.routes.contains { MQTTTopic.matches(name: topic, filter: $0.topic) } }) else { return }
        switch queue.yield(Item(topic: topic, payload: payload, identity: identity, received: .now)) {
        case .enqueued: queued.increment()
        case .dropped: dropped.increment()
        case .terminated: break
        @unknown default: break
        }
    }

    /// Creates the records of queued messages until cancelled (once: the queue has one reader).
    func run() async {
        guard
            let stream = items.withLock({ stream -> AsyncStream<Item>? in
                defer { stream = nil }
                return stream
            })
        else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.flushPeriodically() }
            for await item in stream {
                queued.decrement()
                for route in routes.withLock({ $0.routes(for: item.topic) }) { await ingest(item, route) }
            }
            group.cancelAll()
        }
    }

    func ingest(_ item: Item, _ route: MQTTIngestRoutes.Route) async {
        guard let body = route.body(topic: item.topic, payload: item.payload) else {
            return failed(item, route, reason: "a field's source found no value")
        }
        do {
            guard let collection = records.registry.snapshot.collection(route.collection) else {
                return failed(item, route, reason: "no such collection")
            }
            let auth = try item.identity.acting(.create, on: collection)
            if let layout = TimeSeriesLayout(collection) {
                var point = body
                if point[layout.timeField] == nil { point[layout.timeField] = .string(DateTime.now()) }
                if let full = points.add(
                    point, topic: item.topic, received: item.received, collectionId: collection.id, auth: auth)
                {
                    await write(full)
                }
                return
            }
            _ = try await records.create(
                in: collection.id, input: RecordInput(body), request: RequestInfo(auth: auth, method: "POST", context: "mqtt"))
            created.increment()
            recordLag(since: item.received)
        } catch {
            failed(item, route, reason: "\(error)")
        }
    }

    /// Notes on the lag timer how long ago a message now committed arrived.
    func recordLag(since received: ContinuousClock.Instant) {
        lag.recordNanoseconds((ContinuousClock.now - received).nanoseconds)
    }

    private func failed(_ item: Item, _ route: MQTTIngestRoutes.Route, reason: String) {
        failed(topic: item.topic, collection: route.collection, actor: item.identity, reason: reason)
    }

    func failed(topic: String, collection: String, actor: AuthContext, reason: String) {
        failures.increment()
        logger.debug(
            "MQTT ingest failed",
            metadata: [
                "sb.mqtt.topic": "\(topic)", "sb.collection": "\(collection)", "sb.error": "\(reason)",
                "sb.actor": "\(actor.auditActor)",
            ])
    }
}
