import Foundation
import Logging
import Synchronization
import SwiftbaseCore
import SwiftbaseTesting
import Testing

/// Webhook delivery on the real store, with a scripted receiver in place of the HTTP client (the HTTP path
/// itself is tested end to end with the `standardwebhooks` library in the integration suite): messages go out
/// in seq order, one at a time, signed; a failure is retried with the same id and holds back what follows;
/// a message out of retries fails for good and the next one goes; too many in a row disable the webhook;
/// a stopped dispatcher's successor goes on from the saved cursor without skipping.
@Suite("Webhook delivery", .timeLimit(.minutes(1)))
struct WebhookDeliveryTests {
    let system = RequestInfo(auth: .system, method: "POST")

    /// Answers each request as `script` says (by message id and how many times it was seen) and keeps them.
    final class ScriptedReceiver: WebhookTransport {
        struct Received: Sendable {
            var id: String
            var timestamp: Int64
            var signature: String
            var body: [UInt8]
            var status: Int
            var seq: Int64 { (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?["data"]?["seq"]?.doubleValue.map { Int64($0) } ?? -1 }
        }

        let received = Mutex<[Received]>([])
        let script: @Sendable (_ id: String, _ seen: Int) -> Int

        init(script: @escaping @Sendable (_ id: String, _ seen: Int) -> Int = { _, _ in 200 }) {
            self.script = script
        }

        func send(_ request: WebhookRequest) async -> WebhookAttempt {
            let header = { (name: String) in request.headers.first { $0.name == name }?.value ?? "" }
            let id = header("webhook-id")
            let status = received.withLock { received in
                let seen = received.filter { $0.id == id }.count
                let status = script(id, seen)
                received.append(
                    Received(id: id, timestamp: Int64(header("webhook-timestamp")) ?? 0, signature: header("webhook-signature"),
                        body: request.body, status: status))
                return status
            }
            return status == 200
                ? WebhookAttempt(outcome: .succeeded, status: 200, body: "ok")
                : WebhookAttempt(outcome: .httpError, status: status, body: "no", error: "The receiver answered \(status).")
        }

        var all: [Received] { received.withLock { $0 } }
        /// The seqs received with a 2xx, in arrival order.
        var delivered: [Int64] { all.filter { $0.status == 200 }.map(\.seq) }
    }

    final class Fixture: Sendable {
        let store: StoreFixture
        let audit: AuditLog
        let events: EventBus
        let settings: Mutex<WebhookSettings>

        init(store: StoreFixture, audit: AuditLog, events: EventBus, settings: WebhookSettings) {
            self.store = store
            self.audit = audit
            self.events = events
            self.settings = Mutex(settings)
        }

        func dispatcher(_ transport: any WebhookTransport, observer: WebhookObserver = .none) -> WebhookDispatcher {
            WebhookDispatcher(
                store: store.store, events: events, registry: store.registry, settings: { [self] in settings.withLock { $0 } },
                transport: transport, observer: observer, audit: audit, logger: Logger(label: "test"))
        }

        func create(_ count: Int) async throws {
            for i in 0..<count {
                _ = try await store.records.create(in: "items", input: RecordInput(["n": .number(Double(i))]), request: RequestInfo(auth: .system, method: "POST"))
            }
        }
    }

    func fixture(_ settings: WebhookSettings) async throws -> Fixture {
        let events = EventBus()
        let store = try await StoreFixture("webhooks", events: events)
        _ = try await store.collections.create(["name": "items", "fields": [["name": "n", "type": "number"]]])
        return Fixture(store: store, audit: AuditLog(store: store.store), events: events, settings: settings)
    }

    /// Runs `body` with a dispatcher delivering, then stops it and waits until it has.
    func delivering(_ dispatcher: WebhookDispatcher, _ body: () async throws -> Void) async throws {
        let running = Task { await dispatcher.run() }
        do {
            try await body()
        } catch {
            dispatcher.stop()
            await running.value
            throw error
        }
        dispatcher.stop()
        await running.value
    }

    @Test func messagesGoOutSignedInSeqOrderAndAFailureIsRetriedBeforeAnythingAfterIt() async throws {
        let fixture = try await fixture(WebhookSettings(retrySchedule: [0.05, 0.05], allowPrivateTargets: true))
        defer { fixture.store.remove() }
        let receiver = ScriptedReceiver { id, seen in id.hasSuffix("_4") && seen == 0 ? 500 : 200 }
        let observed = Mutex<[String]>([])
        let dispatcher = fixture.dispatcher(
            receiver,
            observer: WebhookObserver(
                attempted: { outcome in observed.withLock { $0.append("attempt:" + outcome.rawValue) } },
                delivered: { _ in observed.withLock { $0.append("delivered") } },
                settled: { status in observed.withLock { $0.append("settled:" + status.rawValue) } }))
        let service = WebhookService(dispatcher: dispatcher)
        let webhook = try await service.create(["name": "w", "url": "http://receiver.test/hook", "collections": ["items"]])
        try await delivering(dispatcher) {
            try await fixture.create(6)
            try await waitUntil("six delivered") { receiver.delivered.count == 6 }
        }
        let seqs = receiver.delivered
        #expect(seqs == seqs.sorted() && Set(seqs).count == 6)
        let all = receiver.all
        // The failed message came again with its id, before the next one.
        let failedIndex = try #require(all.firstIndex { $0.status == 500 })
        #expect(all[failedIndex + 1].id == all[failedIndex].id && all[failedIndex + 1].status == 200)
        #expect(all[failedIndex].id == "msg_\(webhook.id)_4")
        // Every request is signed with the webhook's secret over id.timestamp.body.
        let signer = try #require(WebhookSignature(secret: webhook.secret))
        for request in all {
            #expect(request.signature == signer.sign(messageId: request.id, timestamp: request.timestamp, body: request.body))
        }
        let (log, total) = try await service.deliveries(webhook.id, status: nil, paging: Paging(page: 1, perPage: 30))
        #expect(total == 6)
        #expect(log.allSatisfy { $0.status == .succeeded })
        #expect(log.first { $0.seq == 4 }?.attempts == 2)
        #expect(try await service.get(webhook.id).cursor == seqs.last)
        let counts = Dictionary(observed.withLock { $0 }.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts == ["attempt:succeeded": 6, "attempt:http_error": 1, "delivered": 6, "settled:succeeded": 6])
    }

    @Test func aMessageOutOfRetriesFailsTheNextGoesAndTooManyInARowDisableTheWebhook() async throws {
        let fixture = try await fixture(
            WebhookSettings(retrySchedule: [0.01], disableAfterFailures: 2, allowPrivateTargets: true))
        defer { fixture.store.remove() }
        let receiver = ScriptedReceiver { _, _ in 503 }
        let dispatcher = fixture.dispatcher(receiver)
        let service = WebhookService(dispatcher: dispatcher)
        let webhook = try await service.create(["name": "w", "url": "http://receiver.test/hook"])
        try await delivering(dispatcher) {
            try await fixture.create(3)
            try await waitUntil("disabled") { try await !service.get(webhook.id).enabled }
        }
        // Two messages, two attempts each; the third never went.
        #expect(receiver.all.count == 4)
        #expect(Set(receiver.all.map(\.id)).count == 2)
        let disabled = try await service.get(webhook.id)
        #expect(disabled.consecutiveFailures == 2 && !disabled.disabledReason.isEmpty)
        let failed = try await service.deliveries(webhook.id, status: .failed, paging: Paging(page: 1, perPage: 30))
        #expect(failed.total == 2)
        #expect(failed.items.allSatisfy { $0.attempts == 2 && $0.responseStatus == 503 })
        try await fixture.audit.flush()
        let events = try await fixture.audit.list(Paging(page: 1, perPage: 10), event: "webhook.disabled", actor: nil)
        #expect(events.total == 1)
        // Re-enabled, it starts over from where it stopped: the third message.
        let healthy = ScriptedReceiver()
        let next = fixture.dispatcher(healthy)
        let enabled = try await WebhookService(dispatcher: next).update(webhook.id, ["enabled": true])
        #expect(enabled.consecutiveFailures == 0 && enabled.disabledReason.isEmpty)
        try await delivering(next) {
            try await waitUntil("the third") { healthy.delivered.count == 1 }
        }
        #expect(healthy.delivered == [disabled.cursor + 1])
    }

    @Test func aNewDispatcherGoesOnFromTheSavedCursorAndAPendingRetry() async throws {
        let fixture = try await fixture(WebhookSettings(retrySchedule: [0.05], allowPrivateTargets: true))
        defer { fixture.store.remove() }
        // The first run's receiver fails the third message, so it is pending when the run stops.
        let first = ScriptedReceiver { id, _ in id.hasSuffix("_4") ? 500 : 200 }
        let firstDispatcher = fixture.dispatcher(first)
        let webhook = try await WebhookService(dispatcher: firstDispatcher).create(["name": "w", "url": "http://receiver.test/hook"])
        fixture.settings.withLock { $0.retrySchedule = [3600] }
        try await delivering(firstDispatcher) {
            try await fixture.create(5)
            try await waitUntil("the failure") { first.all.contains { $0.status == 500 } }
        }
        #expect(first.delivered == [1, 2, 3])
        try await fixture.create(2)
        // The next run retries the pending message (its time moved to now), then goes on, skipping none.
        let second = ScriptedReceiver()
        let secondDispatcher = fixture.dispatcher(second)
        let service = WebhookService(dispatcher: secondDispatcher)
        try await delivering(secondDispatcher) {
            let pending = try await service.deliveries(webhook.id, status: .pending, paging: Paging(page: 1, perPage: 5))
            let retried = try await service.retry(webhook.id, delivery: try #require(pending.items.first).id)
            #expect(retried.status == .succeeded && retried.attempts == 2)
            try await waitUntil("the rest") { second.delivered.count == 4 }
        }
        #expect(second.delivered == [4, 5, 6, 7])
        #expect(second.all[0].id == "msg_\(webhook.id)_4")
    }
}
