import Foundation
public import Logging
import Synchronization

/// Runs webhook delivery: one worker per enabled webhook (see `WebhookWorker`), started and stopped as webhooks
/// are created, edited, disabled and deleted, and woken by the commits each one selects. Everything a worker
/// knows lives in the store (its cursor, pending deliveries), so a worker can be stopped at any point — an
/// edit, a shutdown, a crash — and the next one goes on from there.
public final class WebhookDispatcher: Sendable {
    let store: any Store
    let events: EventBus
    let registry: SchemaRegistry
    /// Read at each attempt, so a settings change applies at once.
    let settings: @Sendable () -> WebhookSettings
    let transport: any WebhookTransport
    let observer: WebhookObserver
    let audit: AuditLog
    let clock: WallClock
    let logger: Logger
    /// Where workers run (nil: the global executor); the server gives them a low-priority thread of their own.
    let workerExecutor: (any TaskExecutor)?
    /// Saves every worker's deliveries and cursor, all webhooks in one write per round.
    let journal: WebhookJournalSaver

    private struct Running {
        let webhook: Webhook
        let signal: WakeSignal
        let task: Task<Void, Never>
    }

    private let running = Mutex<[String: Running]>([:])
    private let reconcileSignal = WakeSignal()
    private let stopping = Atomic<Bool>(false)

    public init(
        store: any Store, events: EventBus, registry: SchemaRegistry, settings: @escaping @Sendable () -> WebhookSettings,
        transport: any WebhookTransport, observer: WebhookObserver = .none, audit: AuditLog, clock: WallClock = .system,
        logger: Logger, workerExecutor: (any TaskExecutor)? = nil
    ) {
        self.store = store
        self.events = events
        self.registry = registry
        self.settings = settings
        self.transport = transport
        self.observer = observer
        self.audit = audit
        self.clock = clock
        self.logger = logger
        self.workerExecutor = workerExecutor
        journal = WebhookJournalSaver(store: store, logger: logger)
    }

    /// Delivers until `stop` (or cancellation); then stops every worker, each keeping what it delivered.
    public func run() async {
        // Not a child of this task: it must outlive the workers' last saves even when this task is cancelled.
        let saving = Task(executorPreference: workerExecutor) { [journal] in await journal.run() }
        let commits = events.subscribeTransactions(bufferSize: 16)
        let wakeWorkers = Task { [self] in
            for await entries in commits {
                for worker in running.withLock({ Array($0.values) })
                where entries.contains(where: { worker.webhook.selects(collectionId: $0.collectionId, action: $0.action.rawValue) }) {
                    worker.signal.notify()
                }
            }
        }
        defer { wakeWorkers.cancel() }
        while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
            do {
                try await reconcile()
            } catch {
                logger.error("reading the webhooks failed", metadata: ["sb.error": "\(error)"])
            }
            // Edits wake this at once; the timeout is a safety net.
            await reconcileSignal.wait(timeout: .seconds(30))
        }
        let workers = running.withLock { running in
            defer { running = [:] }
            return Array(running.values)
        }
        for worker in workers { worker.task.cancel() }
        for worker in workers { await worker.task.value }
        journal.stop()
        await saving.value
    }

    /// Ends `run`: in-flight attempts are abandoned (their messages go again after the restart).
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        reconcileSignal.notify()
    }

    /// Tells `run` that webhooks changed.
    func reload() { reconcileSignal.notify() }

    /// Wakes a webhook's worker (a pending delivery's next attempt moved).
    func wake(_ webhookId: String) {
        running.withLock { $0[webhookId] }?.signal.notify()
    }

    /// Starts a worker for every enabled webhook without one, and restarts those whose webhook was edited.
    private func reconcile() async throws {
        let enabled = try await store.read { conn in try WebhookTables.webhooks(on: conn).filter(\.enabled) }
        let wanted = Dictionary(enabled.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Delivery's own progress (cursor, failures) is not an edit: only `updated` restarts a worker.
        for (id, worker) in running.withLock({ $0 }) where wanted[id]?.updated != worker.webhook.updated {
            worker.task.cancel()
            await worker.task.value
            _ = running.withLock { $0.removeValue(forKey: id) }
        }
        guard !stopping.load(ordering: .relaxed) else { return }
        for webhook in enabled where running.withLock({ $0[webhook.id] }) == nil {
            let signal = WakeSignal()
            let task = Task(executorPreference: workerExecutor) { [self] in
                var worker = WebhookWorker(dispatcher: self, webhook: webhook, signal: signal)
                await worker.run()
            }
            running.withLock { $0[webhook.id] = Running(webhook: webhook, signal: signal, task: task) }
        }
    }

    // MARK: - Sending

    /// One attempt of `message`, signed now, to `webhook`'s URL.
    func send(_ message: WebhookMessage, to webhook: Webhook, signer: WebhookSignature?, settings: WebhookSettings) async
        -> WebhookAttempt
    {
        guard let signer else {
            return WebhookAttempt(outcome: .refused, error: "The webhook's secret is not a whsec_ secret; rotate it.")
        }
        let timestamp = Int64(clock.now.timeIntervalSince1970)
        var headers = webhook.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        headers += [
            ("content-type", "application/json"), ("user-agent", "Swiftbase-Webhooks/1"), ("webhook-id", message.id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signer.sign(messageId: message.id, timestamp: timestamp, body: message.body)),
        ]
        let attempt = await transport.send(
            WebhookRequest(
                url: webhook.url, headers: headers, body: message.body,
                timeout: .milliseconds(Int64(settings.timeout * 1000)), allowPrivateTargets: settings.allowPrivateTargets))
        observer.attempted(attempt.outcome)
        return attempt
    }
}
