public import Logging
import Synchronization

/// Stores log entries in batches, off the request path: `append` puts an entry in a bounded buffer (one lock,
/// no I/O), and `run()` — the writer's loop, run by a service — stores full batches (`batchSize` entries, one
/// transaction each) as soon as they are ready and the whole buffer every `interval`. Between two intervals it
/// leaves a partial batch waiting: draining everything after each write would, under a steady stream of
/// requests, chase the few entries that arrived during the last transaction with ever smaller ones, and every
/// transaction writes the touched pages of the table and its four indexes again (measured: a third of the
/// CPU a cached view costs).
///
/// Nothing is dropped under a burst: when `capacity` entries wait, `append` waits too, until the loop has
/// taken the next batch (a few milliseconds of back-pressure on the requests that log, instead of a silent
/// loss). Only a store that keeps failing loses entries: a failed batch goes back to the front of the buffer
/// and is tried again, and what no longer fits under `capacity` is dropped, counted and logged, so memory
/// stays bounded and no request waits on a broken disk for more than one round. `flush()` stores what is
/// buffered; the service calls it once more at graceful shutdown.
public final class LogBatchWriter: Sendable {
    /// The defaults store up to 2,000 entries per transaction, at least every half second: per entry, SQLite's
    /// share of a logged cached view fell from 6.3–8.1 to 4.9–5.6 µs of CPU against 500 entries every 200 ms
    /// (release, wrk 16 connections, the writer thread's CPU read per request); an entry reaches `/api/logs`
    /// within about half a second.
    public struct Limits: Sendable {
        public var capacity: Int
        public var batchSize: Int
        public var interval: Duration

        public init(capacity: Int = 20_000, batchSize: Int = 2_000, interval: Duration = .milliseconds(500)) {
            self.capacity = max(1, capacity)
            self.batchSize = max(1, batchSize)
            self.interval = interval
        }
    }

    let store: any LogStore
    let limits: Limits
    let logger: Logger
    private let state = Mutex(State())
    private let wake = WakeSignal()

    private struct State {
        var buffer: [PendingLog] = []
        /// Appenders waiting for room in a full buffer.
        var waiters: [CheckedContinuation<Void, Never>] = []
        var stored = 0
        var dropped = 0
        var stopping = false
        /// The loop sleeps until an entry comes (no timer: an idle server wakes no thread for its logs).
        var idle = false
    }

    public init(store: any LogStore, limits: Limits = Limits(), logger: Logger = Logger(label: "swiftbase.logs")) {
        self.store = store
        self.limits = limits
        self.logger = logger
    }

    /// Queues `entry`; returns at once while the buffer has room, else once the writer has made room.
    public func append(_ entry: LogEntry) async {
        await append(.entry(entry))
    }

    /// Queues an entry, or a request's facts to make one of (see ``PendingLog``); returns at once while the
    /// buffer has room, else once the writer has made room.
    public func append(_ entry: PendingLog) async {
        while true {
            let queued = state.withLock { state -> Bool? in
                guard state.buffer.count < limits.capacity else { return nil }
                state.buffer.append(entry)
                defer { state.idle = false }
                return state.buffer.count == limits.batchSize || state.idle
            }
            switch queued {
            case .some(let wakeWriter):
                if wakeWriter { wake.notify() }
                return
            case .none:
                wake.notify()
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let roomNow = state.withLock { state -> Bool in
                        if state.buffer.count < limits.capacity { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if roomNow { continuation.resume() }
                }
            }
        }
    }

    /// Entries stored so far, and entries dropped because the store kept failing.
    public var counts: (stored: Int, dropped: Int) {
        state.withLock { ($0.stored, $0.dropped) }
    }

    /// Entries waiting to be stored.
    public var buffered: Int { state.withLock { $0.buffer.count } }

    /// Whether the loop sleeps until an entry comes (tests wait for it).
    package var isIdle: Bool { state.withLock { $0.idle } }

    /// The writer's loop: stores batches until `stop()` (or until the task is cancelled; a write is never
    /// cancelled halfway by `stop()`). It does not flush at the end: call `flush()`.
    public func run() async {
        let clock = ContinuousClock()
        var lastDrain = clock.now
        while !Task.isCancelled && !state.withLock({ $0.stopping }) {
            let idle = state.withLock { state -> Bool in
                state.idle = state.buffer.isEmpty
                return state.idle
            }
            if idle {
                await wake.wait()
                continue
            }
            await wake.wait(timeout: limits.interval)
            let now = clock.now
            let drain = now - lastDrain >= limits.interval
            if drain { lastDrain = now }
            // After a failed write, a full round's pause: a broken store is not retried in a tight loop.
            if await !flush(fullBatchesOnly: !drain) { try? await Task.sleep(for: limits.interval) }
        }
    }

    /// Ends `run()` after the round in progress.
    public func stop() {
        state.withLock { $0.stopping = true }
        wake.notify()
    }

    /// Stores everything buffered, a batch per transaction; false when a write failed (the rest stays buffered
    /// for the next round). Not to be called while another `flush` runs (the loop, or after it ended).
    @discardableResult
    public func flush() async -> Bool {
        await flush(fullBatchesOnly: false)
    }

    /// `flush()`, or with `fullBatchesOnly` only as many whole batches as wait (a full buffer counts as one).
    private func flush(fullBatchesOnly: Bool) async -> Bool {
        while true {
            let (batch, waiters) = state.withLock { state in
                Self.takeBatch(
                    &state, size: limits.batchSize,
                    atLeast: fullBatchesOnly ? min(limits.batchSize, limits.capacity) : 1)
            }
            for waiter in waiters { waiter.resume() }
            guard !batch.isEmpty else { return true }
            do {
                try await store.insert(PendingLog.rows(batch))
                state.withLock { $0.stored += batch.count }
            } catch {
                let cancelled = error is CancellationError
                let dropped = state.withLock { state -> Int in
                    state.buffer.insert(contentsOf: batch, at: 0)
                    // A cancelled write (the task tree is being torn down) is no failing store: keep it all for
                    // the final flush; the buffer then holds at most one batch over its capacity.
                    let excess = cancelled ? 0 : max(0, state.buffer.count - limits.capacity)
                    state.buffer.removeFirst(excess)
                    state.dropped += excess
                    return excess
                }
                logger.error(
                    "failed to store request logs; they stay buffered",
                    metadata: ["sb.error": "\(error)", "sb.count": "\(batch.count)", "sb.dropped": "\(dropped)"])
                return false
            }
        }
    }

    /// Takes the oldest `size` entries out of the buffer, and the appenders waiting for room (there is room now).
    /// Takes nothing while fewer than `atLeast` wait (a full buffer always has enough).
    private static func takeBatch(_ state: inout State, size: Int, atLeast: Int)
        -> ([PendingLog], [CheckedContinuation<Void, Never>])
    {
        let waiters = state.waiters
        state.waiters = []
        if state.buffer.count < atLeast { return ([], waiters) }
        if state.buffer.count <= size {
            let batch = state.buffer
            state.buffer = []
            return (batch, waiters)
        }
        let batch = Array(state.buffer.prefix(size))
        state.buffer.removeFirst(size)
        return (batch, waiters)
    }
}
