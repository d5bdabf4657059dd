/// The change log as readers outside the write path see it (`GET /api/changes`, its stream, and the
/// consumers to come): pages read from `_changes` by cursor, and a tail that replays from a cursor and then
/// follows new commits with no gap and no duplicate — every entry is read from the store, the event bus only
/// says when to read again.
public struct ChangeFeed: Sendable {
    let store: any Store
    let events: EventBus

    public init(store: any Store, events: EventBus) {
        self.store = store
        self.events = events
    }

    /// The newest `seq` committed.
    public func head() async throws -> Int64 {
        try await store.read { conn in try ChangeLog.head(on: conn) }
    }

    /// The newest `seq` committed, and the first a reader may still ask for (`after` one less than it): what
    /// was pruned is gone.
    public func bounds() async throws -> (head: Int64, oldest: Int64) {
        try await store.read { conn in
            (try ChangeLog.head(on: conn), try ChangeLogRetention.prunedThrough(on: conn) + 1)
        }
    }

    /// The entries after `query.after` that match, oldest first, at most `query.limit`.
    public func read(_ query: ChangeFeedQuery) async throws -> ChangeFeedPage {
        try await store.read { conn in try Self.read(query, on: conn) }
    }

    static func read(_ query: ChangeFeedQuery, on conn: any StoreConnection) throws -> ChangeFeedPage {
        let pruned = try ChangeLogRetention.prunedThrough(on: conn)
        if query.after < pruned { throw ChangeLogRetention.gone(prunedThrough: pruned) }
        var conditions = [#""seq" > ?"#]
        var arguments: [SQLValue] = [.integer(query.after)]
        if let ids = query.collectionIds {
            if ids.isEmpty { return ChangeFeedPage(entries: [], next: query.after) }
            conditions.append(#""collectionId" IN ("# + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")")
            arguments += ids.sorted().map { .text($0) }
        }
        if let actions = query.actions {
            if actions.isEmpty { return ChangeFeedPage(entries: [], next: query.after) }
            conditions.append(#""action" IN ("# + Array(repeating: "?", count: actions.count).joined(separator: ", ") + ")")
            arguments += actions.map(\.rawValue).sorted().map { .text($0) }
        }
        let head = try ChangeLog.head(on: conn)
        let rows = try conn.rows(
            SQLFragment(
                unsafeRaw: """
                    SELECT "seq", "created", "collectionId", "collectionName", "recordId", "action", "data", "actor"
                    FROM "_changes" WHERE \(conditions.joined(separator: " AND ")) ORDER BY "seq" LIMIT ?
                    """,
                arguments: arguments + [.integer(Int64(query.limit))]))
        let entries = rows.map { row in
            ChangeFeedEntry(
                seq: row.values[0].int64Value ?? 0, created: row.values[1].textValue ?? "",
                collectionId: row.values[2].textValue ?? "", collectionName: row.values[3].textValue ?? "",
                recordId: row.values[4].textValue ?? "", action: row.values[5].textValue ?? "",
                recordJSON: row.values[6].textValue ?? "null", actor: row.values[7].textValue ?? "")
        }
        // A full page may stop short of the head; a short one has seen everything up to it.
        let next = entries.count == query.limit ? entries.last!.seq : max(query.after, head)
        return ChangeFeedPage(entries: entries, next: next)
    }

    /// Replays the matching entries after `query.after`, then follows new commits, a page at a time (each
    /// at most `query.limit`). An empty page means nothing new for `keepAlive`: a chance for the reader to
    /// prove its peer is still there. Ends when the event bus finishes (the app is shutting down).
    public func tail(_ query: ChangeFeedQuery, keepAlive: Duration = .seconds(25)) -> ChangeFeedTail {
        ChangeFeedTail(feed: self, query: query, keepAlive: keepAlive)
    }
}

/// See `ChangeFeed.tail`.
public struct ChangeFeedTail: AsyncSequence, Sendable {
    public typealias Element = ChangeFeedPage

    let feed: ChangeFeed
    let query: ChangeFeedQuery
    let keepAlive: Duration

    public func makeAsyncIterator() -> Iterator {
        let wake = Wake(events: feed.events, keepAlive: keepAlive)
        return Iterator(feed: feed, query: query, wake: wake, wakes: wake.stream.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        let feed: ChangeFeed
        var query: ChangeFeedQuery
        /// Kept so its tasks live as long as the iterator.
        let wake: Wake
        var wakes: AsyncStream<Int64?>.Iterator
        /// Whether the last read may have stopped short of what is committed.
        var mayHaveMore = true

        public mutating func next() async throws -> ChangeFeedPage? {
            while true {
                if mayHaveMore {
                    let page = try await feed.read(query)
                    query.after = page.next
                    mayHaveMore = page.entries.count == query.limit
                    if !page.entries.isEmpty { return page }
                }
                switch await nextWake() {
                case .commit: mayHaveMore = true
                case .quiet: return ChangeFeedPage(entries: [], next: query.after)
                case .finished: return nil
                }
            }
        }

        /// Waits for a commit past the cursor (earlier ones were read already), a quiet tick, or the end.
        mutating func nextWake() async -> Reason {
            while let woke = await wakes.next(isolation: #isolation) {
                guard let seq = woke else { return .quiet }
                if seq > query.after { return .commit }
            }
            return .finished
        }
    }

    /// Why a waiting tail woke: a commit past its cursor, a quiet `keepAlive`, or the bus finished.
    enum Reason { case commit, quiet, finished }

    /// The bus's commits (subscribed before the first read, so none is missed) merged with a keep-alive tick.
    final class Wake: Sendable {
        let stream: AsyncStream<Int64?>
        private let tasks: [Task<Void, Never>]

        init(events: EventBus, keepAlive: Duration) {
            let commits = events.subscribeTransactions(bufferSize: 64)
            let (stream, continuation) = AsyncStream<Int64?>.makeStream(bufferingPolicy: .bufferingNewest(64))
            self.stream = stream
            tasks = [
                Task {
                    for await entries in commits { continuation.yield(entries.last?.seq ?? 0) }
                    continuation.finish()
                },
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: keepAlive)
                        continuation.yield(nil)
                    }
                },
            ]
        }

        deinit {
            for task in tasks { task.cancel() }
        }
    }
}
