import Foundation

/// Named consumers of the change log, Kafka-style and at-least-once: the server keeps each consumer's
/// cursor in the store (`_consumers`), `poll` answers the matching entries after it — the same ones again
/// until they are committed — and `commit` moves it on. Cursors survive restarts and crashes with the store.
public struct ConsumerService: Sendable {
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS "_consumers" (
            "name" TEXT PRIMARY KEY NOT NULL,
            "collections" JSON NOT NULL,
            "filter" TEXT NOT NULL DEFAULT '',
            "committedSeq" INTEGER NOT NULL,
            "created" TEXT NOT NULL,
            "updated" TEXT NOT NULL
        )
        """
    public static let maxPoll = 1_000
    public static let maxWait = 60

    let feed: ChangeFeed
    let registry: SchemaRegistry

    public init(feed: ChangeFeed, registry: SchemaRegistry) {
        self.feed = feed
        self.registry = registry
    }

    var store: any Store { feed.store }

    // MARK: - Managing

    /// Creates a consumer reading `collections` (names or ids; none for all) whose records match `filter`,
    /// starting after `after` (default: the head now — it sees what is committed from now on).
    public func create(name: String, collections: [String], filter: String, after: Int64?) async throws -> ConsumerInfo {
        let schema = registry.snapshot
        var errors: [String: ErrorItem] = [:]
        if !Self.isValidName(name) {
            errors["name"] = ErrorItem("validation_invalid_name", "Use 1-100 letters, digits, '_', '-' or '.'.")
        }
        var ids: [String] = []
        for idOrName in collections {
            guard let collection = schema.collection(idOrName) else {
                errors["collections"] = ErrorItem("validation_unknown_collection", "Unknown collection \(idOrName).")
                continue
            }
            if !ids.contains(collection.id) { ids.append(collection.id) }
        }
        if let problem = ChangeFilter.problem(filter, collectionIds: ids, schema: schema) { errors["filter"] = problem }
        if let after, after < 0 { errors["after"] = ErrorItem("validation_min_number", "Must be 0 or more.") }
        if !errors.isEmpty { throw SwiftbaseError.validation("Failed to create consumer.", .items(errors)) }
        let now = DateTime.now()
        let collectionsJSON = JSONValue.array(ids.map { .string($0) }).jsonString
        do {
            try await store.write { conn in
                let head = try ChangeLog.head(on: conn)
                let start = after ?? head
                let pruned = try ChangeLogRetention.prunedThrough(on: conn)
                if start < pruned { throw ChangeLogRetention.gone(prunedThrough: pruned) }
                try conn.execute(
                    SQLFragment(
                        unsafeRaw: """
                            INSERT INTO "_consumers" ("name", "collections", "filter", "committedSeq", "created", "updated")
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [.text(name), .text(collectionsJSON), .text(filter), .integer(start), .text(now), .text(now)]))
            }
        } catch let error as StoreConstraintError where error.kind == .unique {
            throw SwiftbaseError.validation("Failed to create consumer.", .items(["name": .notUnique]))
        }
        return try await info(name)
    }

    public func list() async throws -> [ConsumerInfo] {
        try await store.read { conn in
            let head = try ChangeLog.head(on: conn)
            return try conn.rows(SQLFragment(unsafeRaw: #"SELECT * FROM "_consumers" ORDER BY "name""#))
                .map { Self.info(from: $0, head: head) }
        }
    }

    public func info(_ name: String) async throws -> ConsumerInfo {
        try await store.read { conn in try Self.load(name, on: conn) }
    }

    public func delete(_ name: String) async throws {
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"DELETE FROM "_consumers" WHERE "name" = ?"#, arguments: [.text(name)]))
            if conn.changedRowCount == 0 { throw SwiftbaseError.notFound() }
        }
    }

    // MARK: - Reading

    /// Up to `max` matching entries after the consumer's committed cursor; the same entries again until they
    /// are committed. With nothing there, waits up to `wait` for a commit before answering empty. `next` is
    /// the cursor to commit once these are handled (past entries that did not match, too).
    public func poll(_ name: String, max: Int, wait: Duration) async throws -> ChangeFeedPage {
        let deadline = ContinuousClock.now + wait
        var wake: ChangeFeedTail.Iterator?
        while true {
            let page = try await store.read { [registry] conn in
                try Self.matching(try Self.load(name, on: conn), max: max, schema: registry.snapshot, on: conn)
            }
            let remaining = deadline - ContinuousClock.now
            if !page.entries.isEmpty || remaining <= .zero { return page }
            // Nothing yet: follow the log from where this read ended until a commit (or a commit that raced
            // this read), the deadline, or shutdown; then read again.
            if wake == nil {
                wake = feed.tail(ChangeFeedQuery(after: page.next, limit: 1), keepAlive: remaining).makeAsyncIterator()
            }
            guard try await wake?.next() != nil else { return page }
        }
    }

    /// Moves the consumer's cursor to `seq` (never back, never past the head).
    @discardableResult
    public func commit(_ name: String, seq: Int64) async throws -> ConsumerInfo {
        try await store.write { conn in
            let consumer = try Self.load(name, on: conn)
            guard seq >= 0, seq <= consumer.headSeq else {
                throw SwiftbaseError.validation(
                    "Failed to commit.", .items(["seq": ErrorItem("validation_seq_range", "Must be between 0 and the head, \(consumer.headSeq).")]))
            }
            guard seq > consumer.committedSeq else { return consumer }
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_consumers" SET "committedSeq" = ?, "updated" = ? WHERE "name" = ?"#,
                    arguments: [.integer(seq), .text(DateTime.now()), .text(name)]))
            var committed = consumer
            committed.committedSeq = seq
            return committed
        }
    }

    // MARK: - Helpers

    /// The entries after the consumer's cursor that match its collections and filter, at most `max`.
    static func matching(_ consumer: ConsumerInfo, max: Int, schema: SchemaSnapshot, on conn: any StoreConnection) throws
        -> ChangeFeedPage
    {
        var query = ChangeFeedQuery(
            after: consumer.committedSeq, collectionIds: consumer.collectionIds.isEmpty ? nil : Set(consumer.collectionIds),
            limit: Swift.max(max, 100))
        var kept: [ChangeFeedEntry] = []
        while true {
            let page = try ChangeFeed.read(query, on: conn)
            for entry in page.entries {
                if try matches(entry, filter: consumer.filter, schema: schema, on: conn) {
                    kept.append(entry)
                    if kept.count == max { return ChangeFeedPage(entries: kept, next: entry.seq) }
                }
            }
            query.after = page.next
            if page.entries.count < query.limit { return ChangeFeedPage(entries: kept, next: page.next) }
        }
    }

    /// Whether the logged record satisfies `filter`; a collection gone or changed so that the filter no longer
    /// compiles counts as no match.
    static func matches(_ entry: ChangeFeedEntry, filter: String, schema: SchemaSnapshot, on conn: any StoreConnection) throws
        -> Bool
    {
        guard !filter.isEmpty else { return true }
        guard let collection = schema.collection(entry.collectionId),
            let values = (try? JSONValue.parse(entry.recordJSON))?.objectValue
        else { return false }
        let record = RecordModel(collectionId: collection.id, collectionName: collection.name, values: values)
        let check: SQLFragment?
        do {
            check = try RecordService.candidateCheck(record, collection: collection, schema: schema) { candidate, query in
                query.add(try RuleCompiler.condition(filter, collection: candidate, schema: schema, request: RequestInfo(auth: .system)))
            }
        } catch {
            return false
        }
        guard let check else { return true }
        return try conn.row(check) != nil
    }

    static func load(_ name: String, on conn: any StoreConnection) throws -> ConsumerInfo {
        guard let row = try conn.row(
            SQLFragment(unsafeRaw: #"SELECT * FROM "_consumers" WHERE "name" = ?"#, arguments: [.text(name)]))
        else { throw SwiftbaseError.notFound() }
        return info(from: row, head: try ChangeLog.head(on: conn))
    }

    static func info(from row: StoreRow, head: Int64) -> ConsumerInfo {
        let ids = (row["collections"]?.textValue).flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(\.stringValue)
        return ConsumerInfo(
            name: row["name"]?.textValue ?? "", collectionIds: ids ?? [], filter: row["filter"]?.textValue ?? "",
            committedSeq: row["committedSeq"]?.int64Value ?? 0, headSeq: head, created: row["created"]?.textValue ?? "",
            updated: row["updated"]?.textValue ?? "")
    }

    static func isValidName(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
    }
}
