import Synchronization

/// In-process fan-out of committed changes: the fast path that wakes realtime, webhooks and functions.
/// Publish only after the transaction committed. Delivery is best effort: a subscriber whose buffer is full
/// loses the oldest events and must catch up from the change log by `seq`.
public final class EventBus: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<ChangeLogEntry>.Continuation]>([:])
    private let batchSubscribers = Mutex<[Int: AsyncStream<[ChangeLogEntry]>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)

    public init() {}

    /// Publishes the entries of one committed transaction, in order, to every subscriber.
    public func publish(_ entries: [ChangeLogEntry]) {
        guard !entries.isEmpty else { return }
        let current = subscribers.withLock { Array($0.values) }
        for continuation in current {
            for entry in entries { continuation.yield(entry) }
        }
        for continuation in batchSubscribers.withLock({ Array($0.values) }) { continuation.yield(entries) }
    }

    /// Like `subscribe`, one element per committed transaction: for consumers that must see a transaction's
    /// changes together (realtime judges a cascade-deleted record with its deleted parent still in view).
    public func subscribeTransactions(bufferSize: Int = 10_000) -> AsyncStream<[ChangeLogEntry]> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<[ChangeLogEntry]>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize))
        continuation.onTermination = { [weak self] _ in
            _ = self?.batchSubscribers.withLock { $0.removeValue(forKey: id) }
        }
        batchSubscribers.withLock { $0[id] = continuation }
        if finished.load(ordering: .sequentiallyConsistent) { continuation.finish() }
        return stream
    }

    /// A stream of entries published from now on; `bufferSize` bounds memory for a slow reader.
    public func subscribe(bufferSize: Int = 10_000) -> AsyncStream<ChangeLogEntry> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<ChangeLogEntry>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        if finished.load(ordering: .sequentiallyConsistent) { continuation.finish() }
        return stream
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// Ends every subscriber's stream, and the streams of later subscribers at once: at shutdown, so
    /// long-lived readers (realtime, change streams) stop and the server can drain.
    public func finish() {
        finished.store(true, ordering: .sequentiallyConsistent)
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
        for continuation in batchSubscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
}
