package import Logging
import Synchronization

/// Saves the delivery journals of all webhooks together: what their workers hand in — deliveries to insert or
/// update, in order, and each webhook's cursor and failure count — is committed every `interval` (or sooner
/// when a worker waits for it) in one write for all webhooks.
///
/// Why: each worker used to save its own journal, so twenty webhooks put twenty small writes per round on the
/// database's one writer, the writer REST creates queue for. Grouped, a round is one write however many
/// webhooks deliver, and a worker no longer waits for the writer after each batch of deliveries.
///
/// Guarantees: a worker hands in a delivery only after its attempt (a success only after the receiver's 2xx),
/// with its cursor, so a saved cursor never passes a change whose delivery is not saved with it or before it.
/// What one worker hands in is written in the order handed. A worker that must not go on before its state is
/// stored (a pending retry, disabling its webhook, stopping) waits for that with `commit(_:)`. If the write
/// fails, nothing of it was kept and nothing handed in is dropped: it is written again in the next round, each
/// webhook on its own then, so one webhook's bad row cannot hold the others back; whoever waits for it hears
/// the error. A crash loses what was handed in and not committed: those messages are sent again (at least
/// once, never skipped), as before.
///
/// One `run` loop writes, once (a dispatcher runs once); `flush` may be called directly (tests) only while no
/// loop runs.
package final class WebhookJournalSaver: Sendable {
    /// A row of the deliveries log to write.
    package enum Write: Sendable {
        case insert(WebhookDelivery)
        case update(WebhookDelivery)
    }

    /// One webhook's part of a round: its writes in order, then its progress.
    package struct Batch: Sendable {
        package var webhookId: String
        package var writes: [Write] = []
        /// nil: the stored cursor stays.
        package var cursor: Int64?
        package var consecutiveFailures = 0
        /// The number of the last hand-in it holds (they count up per webhook).
        var through: UInt64 = 0

        /// Takes in one hand-in; answers how many writes are now queued.
        mutating func add(_ write: Write?, cursor: Int64?, consecutiveFailures: Int, through: UInt64) -> Int {
            if let write { writes.append(write) }
            self.cursor = cursor ?? self.cursor
            self.consecutiveFailures = consecutiveFailures
            self.through = through
            return writes.count
        }

        /// `self` followed by what was handed in after it.
        func followed(by later: Batch?) -> Batch {
            guard let later else { return self }
            var merged = later
            merged.writes = writes + later.writes
            merged.cursor = later.cursor ?? cursor
            return merged
        }
    }

    private struct Waiter {
        let webhookId: String
        let through: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queued: [String: Batch] = [:]
        var queuedWrites = 0
        var handed: [String: UInt64] = [:]
        var committed: [String: UInt64] = [:]
        var waiters: [Waiter] = []
        var stopping = false
        var stopped = false
        /// The run loop sleeps until something is handed in (no timer: an idle server wakes no thread for it).
        var idle = false
    }

    let store: any Store
    let logger: Logger
    /// How long a handed-in delivery may wait for its round.
    let interval: Duration
    private let state = Mutex(State())
    private let signal = WakeSignal()

    /// Writes queued over all webhooks that start a round at once.
    static let roundLimit = 1024
    /// Uncommitted writes of one webhook past which its worker waits for a commit before sending more.
    static let backlogLimit = 2048
    /// The pause after a round that failed, before the next try.
    static let retryDelay = Duration.seconds(1)
    static let stoppedError = SwiftbaseError(.internalError, "Webhook delivery has stopped.")

    package init(store: any Store, logger: Logger, interval: Duration = .milliseconds(50)) {
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    // MARK: - Workers

    /// Takes `write` (if any) and the webhook's progress; answers true when the worker should `commit` before
    /// it sends more (its uncommitted writes reached `backlogLimit`, as when the store keeps failing).
    @discardableResult
    package func hand(
        _ write: Write?, webhookId: String, cursor: Int64?, consecutiveFailures: Int
    ) -> Bool {
        let (startRound, backlog, wake) = state.withLock { state -> (Bool, Bool, Bool) in
            let wake = state.idle
            state.idle = false
            let number = (state.handed[webhookId] ?? 0) + 1
            state.handed[webhookId] = number
            // Changed in place: a copy of the batch taken out and put back would copy all its writes on every
            // hand-in (its array shared with the dictionary's), quadratic in a round's size.
            let queued = state.queued[webhookId, default: Batch(webhookId: webhookId)].add(
                write, cursor: cursor, consecutiveFailures: consecutiveFailures, through: number)
            if write != nil { state.queuedWrites += 1 }
            return (state.queuedWrites == Self.roundLimit, queued >= Self.backlogLimit, wake)
        }
        if startRound || wake { signal.notify() }
        return backlog
    }

    /// Returns once everything handed in for `webhookId` so far is committed; throws the error of the write
    /// that failed to (what it held is kept for the next round), or when the saver has stopped.
    package func commit(_ webhookId: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Bool, any Error> in
                let target = state.handed[webhookId] ?? 0
                if (state.committed[webhookId] ?? 0) >= target { return .success(true) }
                if state.stopped { return .failure(Self.stoppedError) }
                state.waiters.append(Waiter(webhookId: webhookId, through: target, continuation: continuation))
                return .success(false)
            }
            switch outcome {
            case .success(true): continuation.resume()
            case .success: signal.notify()
            case .failure(let error): continuation.resume(throwing: error)
            }
        }
    }

    /// Whether the run loop sleeps until something is handed in (tests wait for it).
    package var isIdle: Bool { state.withLock { $0.idle } }

    /// How many `commit` calls are waiting (tests wait for one to be registered).
    package var waiterCount: Int { state.withLock { $0.waiters.count } }

    // MARK: - Rounds

    /// Writes a round every `interval` (sooner when asked) until `stop`, then a last one. With nothing handed in
    /// it sleeps until something is; the first hand-in then waits at most `interval` for its round.
    package func run() async {
        while !state.withLock({ $0.stopping }) {
            let idle = state.withLock { state -> Bool in
                guard state.queued.isEmpty, state.waiters.isEmpty else { return false }
                state.idle = true
                return true
            }
            if idle {
                await signal.wait()
                continue
            }
            await signal.wait(timeout: interval)
            if await !flush() { await signal.wait(timeout: Self.retryDelay) }
        }
        await flush()
        let left = state.withLock { state -> [Waiter] in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in left { waiter.continuation.resume(throwing: Self.stoppedError) }
    }

    /// Ends `run` after one more round; call once the workers have ended.
    package func stop() {
        state.withLock { $0.stopping = true }
        signal.notify()
    }

    /// Writes everything handed in, all webhooks in one write; after a failure, each webhook in a write of its
    /// own. Answers whether everything was written.
    @discardableResult
    package func flush() async -> Bool {
        let batches = state.withLock { state -> [Batch] in
            defer {
                state.queued = [:]
                state.queuedWrites = 0
            }
            return Array(state.queued.values)
        }
        guard !batches.isEmpty else { return true }
        do {
            try await store.write { conn in
                for batch in batches { try Self.save(batch, on: conn) }
            }
            settle(batches, error: nil)
            return true
        } catch {
            guard batches.count > 1 else {
                settle(batches, error: error)
                return false
            }
        }
        var allWritten = true
        for batch in batches {
            do {
                try await store.write { conn in try Self.save(batch, on: conn) }
                settle([batch], error: nil)
            } catch {
                settle([batch], error: error)
                allWritten = false
            }
        }
        return allWritten
    }

    /// Writes one webhook's part — unless the webhook was deleted meanwhile: then there is nothing to keep.
    static func save(_ batch: Batch, on conn: any StoreConnection) throws {
        try WebhookTables.saveProgress(
            webhookId: batch.webhookId, cursor: batch.cursor, consecutiveFailures: batch.consecutiveFailures, on: conn)
        guard conn.changedRowCount > 0 else { return }
        var inserts: [WebhookDelivery] = []
        for write in batch.writes {
            switch write {
            case .insert(let delivery):
                inserts.append(delivery)
            case .update(let delivery):
                try WebhookTables.insert(inserts, on: conn)
                inserts = []
                try WebhookTables.update(delivery, on: conn)
            }
        }
        try WebhookTables.insert(inserts, on: conn)
    }

    /// Answers the waiters of `batches` after their write: committed, or failed (then the batches go back in
    /// front of what was handed in since).
    private func settle(_ batches: [Batch], error: (any Error)?) {
        if let error {
            logger.error(
                "saving webhook deliveries failed; retrying",
                metadata: ["sb.webhooks": "\(batches.count)", "sb.error": "\(error)"])
        }
        let answered = state.withLock { state -> [Waiter] in
            for batch in batches {
                if error == nil {
                    state.committed[batch.webhookId] = max(state.committed[batch.webhookId] ?? 0, batch.through)
                } else {
                    let later = state.queued[batch.webhookId]
                    state.queuedWrites += batch.writes.count
                    state.queued[batch.webhookId] = batch.followed(by: later)
                }
            }
            let through = Dictionary(batches.map { ($0.webhookId, $0.through) }, uniquingKeysWith: max)
            var answered: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard let done = through[waiter.webhookId], waiter.through <= done else { return false }
                answered.append(waiter)
                return true
            }
            return answered
        }
        for waiter in answered {
            if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
        }
    }
}
