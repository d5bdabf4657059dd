import Foundation
import Logging
import Synchronization
import SwiftbaseCore
import SwiftbaseTesting
import Testing

/// The saver that commits every webhook's delivery journal together, on the real store behind a wrapper that
/// counts writes and can roll one back: two webhooks' journals land in one write; a write that fails keeps
/// nothing and loses nothing (it is written again, each journal once, in the order handed); one webhook's bad
/// row does not hold back another's.
@Suite("Webhook journal saver", .timeLimit(.minutes(1)))
struct WebhookJournalSaverTests {
    /// The SQLite store, counting `write`s; while `failing` > 0 a write runs its body, then throws, so the
    /// transaction rolls back after its statements ran.
    final class FlakyStore: Store {
        struct Injected: Error {}

        let base: any Store
        let writes = Mutex(0)
        let failing = Mutex(0)

        init(base: any Store) {
            self.base = base
        }

        var dialect: any SQLDialect { base.dialect }

        func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
            try await base.read(body)
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
            writes.withLock { $0 += 1 }
            let fail = failing.withLock { failing in
                defer { failing = max(0, failing - 1) }
                return failing > 0
            }
            return try await base.write { conn in
                let value = try body(conn)
                if fail { throw Injected() }
                return value
            }
        }

        func write<T: Sendable>(
            _ body: @escaping @Sendable (any StoreConnection) throws -> T, committed: @escaping @Sendable (T) -> Void
        ) async throws -> T {
            let value = try await write(body)
            committed(value)
            return value
        }
    }

    struct Fixture {
        let store: StoreFixture
        let flaky: FlakyStore
        let service: WebhookService
        let saver: WebhookJournalSaver
        let a: Webhook
        let b: Webhook

        /// Seqs in the deliveries log of `webhook`, oldest first.
        func logged(_ webhook: Webhook) async throws -> [Int64] {
            let page = try await service.deliveries(webhook.id, status: nil, paging: Paging(page: 1, perPage: 100))
            return page.items.compactMap(\.seq).sorted()
        }

        func cursor(_ webhook: Webhook) async throws -> Int64 {
            try await service.get(webhook.id).cursor
        }
    }

    func fixture() async throws -> Fixture {
        let store = try await StoreFixture("journal-saver")
        let dispatcher = WebhookDispatcher(
            store: store.store, events: EventBus(), registry: store.registry, settings: { WebhookSettings() },
            transport: WebhookDeliveryTests.ScriptedReceiver(), audit: AuditLog(store: store.store),
            logger: Logger(label: "test"))
        let service = WebhookService(dispatcher: dispatcher)
        let a = try await service.create(["name": "a", "url": "http://receiver.test/a"])
        let b = try await service.create(["name": "b", "url": "http://receiver.test/b"])
        let flaky = FlakyStore(base: store.store)
        let saver = WebhookJournalSaver(store: flaky, logger: Logger(label: "test"))
        return Fixture(store: store, flaky: flaky, service: service, saver: saver, a: a, b: b)
    }

    /// A delivered change `seq` of `webhook`, as a worker hands it in.
    func delivered(_ webhook: Webhook, _ seq: Int64, id: String? = nil) -> WebhookJournalSaver.Write {
        var delivery = WebhookDelivery(
            webhookId: webhook.id,
            message: WebhookMessage(id: "msg_\(webhook.id)_\(seq)", type: "record.create", seq: seq, body: Array("{}".utf8)),
            attempt: WebhookAttempt(outcome: .succeeded, status: 200), status: .succeeded, nextAttempt: "",
            now: Date())
        if let id { delivery.id = id }
        return .insert(delivery)
    }

    @Test func twoWebhooksJournalsAndCursorsLandInOneWrite() async throws {
        let f = try await fixture()
        defer { f.store.remove() }
        f.saver.hand(delivered(f.a, 1), webhookId: f.a.id, cursor: 1, consecutiveFailures: 0)
        f.saver.hand(delivered(f.b, 1), webhookId: f.b.id, cursor: 1, consecutiveFailures: 0)
        f.saver.hand(delivered(f.a, 2), webhookId: f.a.id, cursor: 3, consecutiveFailures: 0)
        #expect(try await f.logged(f.a) == [])  // nothing is written before the round
        #expect(await f.saver.flush())
        #expect(f.flaky.writes.withLock { $0 } == 1)
        #expect(try await f.logged(f.a) == [1, 2])
        #expect(try await f.logged(f.b) == [1])
        #expect(try await f.cursor(f.a) == 3)
        #expect(try await f.cursor(f.b) == 1)
        // Nothing new: no write at all.
        #expect(await f.saver.flush())
        #expect(f.flaky.writes.withLock { $0 } == 1)
    }

    /// With nothing handed in, the loop sleeps with no timer (an idle server wakes no thread for it); the first
    /// hand-in wakes it and is written within a round, and then it sleeps again.
    @Test func anIdleLoopSleepsUntilTheFirstHandIn() async throws {
        let f = try await fixture()
        defer { f.store.remove() }
        let saver = WebhookJournalSaver(store: f.flaky, logger: Logger(label: "test"), interval: .milliseconds(20))
        let loop = Task { await saver.run() }
        while !saver.isIdle { try await Task.sleep(for: .milliseconds(1)) }
        saver.hand(delivered(f.a, 1), webhookId: f.a.id, cursor: 1, consecutiveFailures: 0)
        // Waits on the write itself, not on `commit` (which would wake the loop too).
        while f.flaky.writes.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        while !saver.isIdle { try await Task.sleep(for: .milliseconds(1)) }
        #expect(try await f.logged(f.a) == [1])
        #expect(try await f.cursor(f.a) == 1)
        #expect(f.flaky.writes.withLock { $0 } == 1)
        saver.stop()
        await loop.value
    }

    @Test func aFailedWriteKeepsNothingLosesNothingAndIsWrittenAgain() async throws {
        let f = try await fixture()
        defer { f.store.remove() }
        let before = try await f.cursor(f.a)
        f.saver.hand(delivered(f.a, 1), webhookId: f.a.id, cursor: 1, consecutiveFailures: 0)
        f.saver.hand(delivered(f.b, 1), webhookId: f.b.id, cursor: 1, consecutiveFailures: 0)
        // The round's write fails, and so do both webhooks' writes on their own after it.
        f.flaky.failing.withLock { $0 = 3 }
        let waiting = Task { [saver = f.saver, id = f.a.id] in try await saver.commit(id) }
        try await waitUntil("a worker waits") { f.saver.waiterCount == 1 }
        #expect(await !f.saver.flush())
        await #expect(throws: FlakyStore.Injected.self) { try await waiting.value }
        #expect(f.flaky.writes.withLock { $0 } == 3)
        #expect(try await f.logged(f.a) == [])
        #expect(try await f.logged(f.b) == [])
        #expect(try await f.cursor(f.a) == before)
        // Handed after the failure: written after what failed, in the next round, all in one write.
        f.saver.hand(delivered(f.a, 2), webhookId: f.a.id, cursor: 2, consecutiveFailures: 0)
        let committed = Task { [saver = f.saver, id = f.a.id] in try await saver.commit(id) }
        try await waitUntil("a worker waits") { f.saver.waiterCount == 1 }
        #expect(await f.saver.flush())
        try await committed.value
        #expect(f.flaky.writes.withLock { $0 } == 4)
        #expect(try await f.logged(f.a) == [1, 2])
        #expect(try await f.logged(f.b) == [1])
        #expect(try await f.cursor(f.a) == 2)
        #expect(try await f.cursor(f.b) == 1)
    }

    @Test func oneWebhooksBadRowDoesNotHoldBackTheOther() async throws {
        let f = try await fixture()
        defer { f.store.remove() }
        f.saver.hand(delivered(f.b, 1, id: "samedeliveryid1"), webhookId: f.b.id, cursor: 1, consecutiveFailures: 0)
        #expect(await f.saver.flush())
        // b's next row reuses an id (the insert fails); a's rows go anyway, and b keeps its cursor.
        f.saver.hand(delivered(f.a, 2), webhookId: f.a.id, cursor: 2, consecutiveFailures: 0)
        f.saver.hand(delivered(f.b, 2, id: "samedeliveryid1"), webhookId: f.b.id, cursor: 2, consecutiveFailures: 0)
        #expect(await !f.saver.flush())
        #expect(try await f.logged(f.a) == [2])
        #expect(try await f.cursor(f.a) == 2)
        #expect(try await f.logged(f.b) == [1])
        #expect(try await f.cursor(f.b) == 1)
    }
}
