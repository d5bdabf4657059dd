import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// The one write path on the real SQLite store: every committed record write appends exactly one change-log
/// entry in its own transaction, a refused write appends none, and the event bus hears only what committed.
@Suite("Change log on SQLite", .timeLimit(.minutes(1)))
struct ChangeLogTests {
    let directory: URL
    let store: SQLiteStore
    let events = EventBus()
    let collections: CollectionService
    let records: RecordService
    let system = RequestInfo(auth: .system, method: "POST")

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-changelog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("data.db").path)
        let registry = SchemaRegistry(dialect: store.dialect)
        collections = CollectionService(store: store, registry: registry)
        try await collections.bootstrap()
        records = RecordService(store: store, registry: registry, events: events, passwords: BcryptPasswordHasher())
    }

    /// `_changes` rows as (action, recordId, collectionName), in `seq` order.
    func changes() async throws -> [(seq: Int64, action: String, recordId: String, collection: String, data: String)] {
        try await store.read { conn in
            try conn.rows(
                SQLFragment(
                    unsafeRaw:
                        #"SELECT "seq", "action", "recordId", "collectionName", "data" FROM "_changes" ORDER BY "seq""#)
            ).map {
                (
                    $0["seq"]?.int64Value ?? -1, $0["action"]?.textValue ?? "", $0["recordId"]?.textValue ?? "",
                    $0["collectionName"]?.textValue ?? "", $0["data"]?.textValue ?? ""
                )
            }
        }
    }

    func makePosts() async throws {
        _ = try await collections.create([
            "name": "posts",
            "fields": [
                ["name": "title", "type": "text", "required": true, "max": 20],
                ["name": "slug", "type": "text"],
            ],
            "indexes": ["CREATE UNIQUE INDEX idx_posts_slug ON posts (slug) WHERE slug != ''"],
        ])
    }

    @Test func createUpdateDeleteAppendOneEntryEachInOrder() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makePosts()
        let created = try await records.create(
            in: "posts", input: RecordInput(["title": "first"]), request: system)
        _ = try await records.update(
            in: "posts", id: created.id, input: RecordInput(["title": "second"]), request: system)
        try await records.delete(in: "posts", id: created.id, request: system)

        let log = try await changes().filter { $0.collection == "posts" }
        #expect(log.map(\.action) == ["create", "update", "delete"])
        #expect(log.allSatisfy { $0.recordId == created.id })
        #expect(log[0].seq < log[1].seq && log[1].seq < log[2].seq)
        #expect(log[0].data.contains(#""title":"first""#))
        #expect(log[1].data.contains(#""title":"second""#))
    }

    @Test func refusedWritesAppendNothingAndPublishNothing() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makePosts()
        _ = try await records.create(in: "posts", input: RecordInput(["title": "a", "slug": "dup"]), request: system)
        let before = try await changes().count
        let stream = events.subscribe()

        // Validation failure (required title), then a unique-index violation inside the transaction.
        await #expect(throws: SwiftbaseError.self) {
            _ = try await records.create(in: "posts", input: RecordInput(["slug": "x"]), request: system)
        }
        await #expect(throws: SwiftbaseError.self) {
            _ = try await records.create(in: "posts", input: RecordInput(["title": "b", "slug": "dup"]), request: system)
        }
        #expect(try await changes().count == before)
        let rows = try await store.read { conn in try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "posts""#)) }
        #expect(rows?.int64Value == 1)

        // The next committed write is the first thing subscribers hear.
        let ok = try await records.create(in: "posts", input: RecordInput(["title": "c"]), request: system)
        var iterator = stream.makeAsyncIterator()
        let heard = await iterator.next()
        #expect(heard?.recordId == ok.id)
        #expect(heard?.action == .create)
    }

    @Test func cascadeDeleteLogsEveryRemovedAndUpdatedRecord() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makePosts()
        let posts = try #require(collections.registry.snapshot.collection("posts"))
        _ = try await collections.create([
            "name": "comments",
            "fields": [["name": "post", "type": "relation", "collectionId": .string(posts.id), "cascadeDelete": true]],
        ])
        _ = try await collections.create([
            "name": "links",
            "fields": [["name": "posts", "type": "relation", "collectionId": .string(posts.id), "maxSelect": 5]],
        ])
        let p1 = try await records.create(in: "posts", input: RecordInput(["title": "p1"]), request: system)
        let p2 = try await records.create(in: "posts", input: RecordInput(["title": "p2"]), request: system)
        let comment = try await records.create(
            in: "comments", input: RecordInput(["post": .string(p1.id)]), request: system)
        let link = try await records.create(
            in: "links", input: RecordInput(["posts": [.string(p1.id), .string(p2.id)]]), request: system)
        let start = try await changes().count

        try await records.delete(in: "posts", id: p1.id, request: system)

        let log = try await changes().dropFirst(start)
        let described = Set(log.map { "\($0.action) \($0.collection) \($0.recordId)" })
        #expect(
            described == [
                "delete comments \(comment.id)", "update links \(link.id)", "delete posts \(p1.id)",
            ])
        let remaining = try await records.view(in: "links", id: link.id, request: system)
        #expect(remaining.values["posts"] == [.string(p2.id)])
    }

    /// The bus hears committed changes in `seq` order, however the writers' tasks are scheduled after their
    /// group commits: 400 concurrent creates (in groups of up to 64) and updates, read back in one stream.
    @Test func theBusPublishesInSeqOrder() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makePosts()
        let heard = events.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<400 {
                group.addTask {
                    let post = try await records.create(
                        in: "posts", input: RecordInput(["title": .string("p\(i)")]), request: system)
                    if i % 4 == 0 {
                        _ = try await records.update(
                            in: "posts", id: post.id, input: RecordInput(["title": .string("q\(i)")]), request: system)
                    }
                }
            }
            try await group.waitForAll()
        }
        var seqs: [Int64] = []
        for await entry in heard {
            seqs.append(entry.seq)
            if seqs.count == 500 { break }
        }
        let firstInversion = zip(seqs, seqs.dropFirst()).first { $0.0 >= $0.1 }
        #expect(firstInversion == nil, "heard \(firstInversion.map { "\($0.1) after \($0.0)" } ?? "")")
        #expect(Set(seqs).count == 500)
        #expect(seqs == (try await changes()).map(\.seq))
    }
}
