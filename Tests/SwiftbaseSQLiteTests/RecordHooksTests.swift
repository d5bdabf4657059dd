import Foundation
import Synchronization
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// Record hooks on the real store: write hooks run inside the transaction (their changes are validated and
/// stored, their refusals roll everything back), request hooks shape the input of requests only, and
/// after-commit hooks see every committed change once, in `seq` order.
@Suite("Record hooks", .timeLimit(.minutes(1)))
struct RecordHooksTests {
    let guest = RequestInfo(auth: .guest, method: "POST")
    let system = RequestInfo(auth: .system, method: "POST")

    func fixture() async throws -> StoreFixture {
        let fixture = try await StoreFixture("hooks")
        _ = try await fixture.collections.create([
            "name": "posts", "createRule": "", "updateRule": "", "deleteRule": "",
            "fields": [
                ["name": "title", "type": "text", "max": 20],
                ["name": "slug", "type": "text"],
            ],
        ])
        _ = try await fixture.collections.create(["name": "notes", "fields": [["name": "body", "type": "text"]]])
        return fixture
    }

    /// The stored rows of `table`, oldest first.
    func rows(_ table: String, _ fixture: StoreFixture) async throws -> [StoreRow] {
        try await fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: "SELECT * FROM \"\(table)\" ORDER BY rowid"))
        }
    }

    func changeCount(_ fixture: StoreFixture) async throws -> Int64 {
        try await fixture.store.read { conn in
            try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_changes""#))?.int64Value ?? -1
        }
    }

    @Test func aCreateHookEnrichesTheStoredRecordAndItsRefusalStoresNothing() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreate("posts") { event in
            let title = event.record["title"]?.stringValue ?? ""
            if title.contains("spam") { throw event.invalid(["title": ErrorItem("validation_spam", "No spam.")]) }
            event.record.values["slug"] = .string(title.lowercased())
        }
        let created = try await fixture.records.create(in: "posts", input: RecordInput(["title": "Hello"]), request: guest)
        #expect(created["slug"] == .string("hello"))
        let slugs: [String?] = try await rows("posts", fixture).map { $0["slug"]?.textValue }
        #expect(slugs == ["hello"])
        let before = try await changeCount(fixture)

        let error = await #expect(throws: SwiftbaseError.self) {
            _ = try await fixture.records.create(in: "posts", input: RecordInput(["title": "spam!"]), request: guest)
        }
        #expect(error?.code == .badRequest)
        #expect(error?.message == "Failed to create record.")
        #expect(error?.data == .items(["title": ErrorItem("validation_spam", "No spam.")]))
        #expect(try await rows("posts", fixture).count == 1)
        #expect(try await changeCount(fixture) == before)
    }

    @Test func whatAHookSetsIsValidatedLikeInput() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreate { event in
            if event.collection.name == "posts" { event.record.values["title"] = .string(String(repeating: "x", count: 30)) }
        }
        let error = await #expect(throws: SwiftbaseError.self) {
            _ = try await fixture.records.create(in: "posts", input: RecordInput(["title": "short"]), request: guest)
        }
        #expect(error?.data == .items(["title": ErrorItem("validation_max_text_constraint", "Must be no more than 20 character(s).", params: ["max": 20])]))
        // The unscoped hook ran for notes too and changed nothing there.
        _ = try await fixture.records.create(in: "notes", input: RecordInput(["body": "b"]), request: system)
        #expect(try await rows("notes", fixture).count == 1)
    }

    @Test func aPlainErrorRefusesWithTheWritesMessage() async throws {
        struct Nope: Error {}
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreate("notes") { _ in throw Nope() }
        let error = await #expect(throws: SwiftbaseError.self) {
            _ = try await fixture.records.create(in: "notes", input: RecordInput(["body": "b"]), request: system)
        }
        #expect(error?.code == .badRequest)
        #expect(error?.message == "Failed to create record.")
        // Scoped to notes: posts are untouched by it.
        _ = try await fixture.records.create(in: "posts", input: RecordInput(["title": "t"]), request: guest)
    }

    @Test func writeHooksReadTheirOwnTransactionInABatch() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreate("posts") { event in
            let count = try event.connection.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "posts""#))
            event.record.values["slug"] = .string("n\(count?.int64Value ?? -1)")
        }
        var writes: [RecordWrite] = []
        for title in ["a", "b", "c"] {
            writes.append(try await fixture.records.prepareCreate(in: "posts", input: RecordInput(["title": .string(title)]), request: guest))
        }
        let created = try await fixture.records.performBatch(writes)
        #expect(created.map { $0?["slug"] } == [.string("n0"), .string("n1"), .string("n2")])

        // A refusal of the last write rolls back the whole batch.
        fixture.records.hooks.onRecordCreate("posts") { event in
            if event.record["title"] == .string("z") { throw event.invalid(["title": .invalidValue]) }
        }
        var refused: [RecordWrite] = []
        for title in ["x", "y", "z"] {
            refused.append(try await fixture.records.prepareCreate(in: "posts", input: RecordInput(["title": .string(title)]), request: guest))
        }
        let failure = await #expect(throws: RecordBatchFailure.self) { _ = try await fixture.records.performBatch(refused) }
        #expect(failure?.index == 2)
        #expect(try await rows("posts", fixture).count == 3)
    }

    @Test func updateHooksSeeTheStoredRecordAndDeleteHooksCanRefuse() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        let seen = Mutex<[String]>([])
        fixture.records.hooks.onRecordUpdate("posts") { event in
            seen.withLock { $0.append("\(event.original?["title"]?.stringValue ?? "-")→\(event.record["title"]?.stringValue ?? "-")") }
            event.record.values["slug"] = .string("edited")
        }
        fixture.records.hooks.onRecordDelete("posts") { event in
            if event.record["slug"] == .string("edited") { throw SwiftbaseError.badRequest("Edited posts stay.") }
        }
        let post = try await fixture.records.create(in: "posts", input: RecordInput(["title": "one"]), request: guest)
        let updated = try await fixture.records.update(
            in: "posts", id: post.id, input: RecordInput(["title": "two"]), request: RequestInfo(method: "PATCH"))
        #expect(updated["slug"] == .string("edited"))
        #expect(seen.withLock { $0 } == ["one→two"])
        let before = try await changeCount(fixture)
        let error = await #expect(throws: SwiftbaseError.self) {
            try await fixture.records.delete(in: "posts", id: post.id, request: RequestInfo(method: "DELETE"))
        }
        #expect(error?.message == "Edited posts stay.")
        #expect(try await rows("posts", fixture).count == 1)
        #expect(try await changeCount(fixture) == before)
    }

    @Test func deleteHooksRunForCascadedDeletes() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        let posts = try #require(fixture.registry.snapshot.collection("posts"))
        _ = try await fixture.collections.create([
            "name": "comments",
            "fields": [["name": "post", "type": "relation", "collectionId": .string(posts.id), "cascadeDelete": true, "maxSelect": 1]],
        ])
        let deleted = Mutex<[String]>([])
        fixture.records.hooks.onRecordDelete { event in deleted.withLock { $0.append(event.collection.name) } }
        let post = try await fixture.records.create(in: "posts", input: RecordInput(["title": "p"]), request: system)
        _ = try await fixture.records.create(in: "comments", input: RecordInput(["post": .string(post.id)]), request: system)
        try await fixture.records.delete(in: "posts", id: post.id, request: RequestInfo(auth: .system, method: "DELETE"))
        #expect(deleted.withLock { $0 }.sorted() == ["comments", "posts"])
        #expect(try await rows("comments", fixture).isEmpty)
    }

    @Test func requestHooksShapeRequestsButNotSwiftbasesOwnWrites() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreateRequest("posts") { event in
            if event.input.values["title"] == nil { event.input.values["title"] = "untitled" }
            if event.request.headers["x_block"] != nil { throw SwiftbaseError.forbidden("Blocked.") }
        }
        let fromRequest = try await fixture.records.create(in: "posts", input: RecordInput([:]), request: guest)
        #expect(fromRequest["title"] == .string("untitled"))
        let fromSystem = try await fixture.records.create(in: "posts", input: RecordInput([:]), request: system)
        #expect(fromSystem["title"] == .string(""))
        var blocked = guest
        blocked.headers["x_block"] = "1"
        let error = await #expect(throws: SwiftbaseError.self) {
            _ = try await fixture.records.create(in: "posts", input: RecordInput([:]), request: blocked)
        }
        #expect(error?.code == .forbidden)
    }

    @Test func afterCommitHooksSeeEveryChangeOnceInSeqOrder() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        let seen = Mutex<[Int64]>([])
        let failures = Mutex(0)
        fixture.records.hooks.onRecordAfterCommit("posts") { change in
            seen.withLock { $0.append(change.seq) }
            // A failing hook does not stop delivery.
            if change.seq % 7 == 0 { throw SwiftbaseError.badRequest("boom") }
        }
        let hooks = fixture.records.hooks
        let delivery = Task { await hooks.deliverCommitted { _, _ in failures.withLock { $0 += 1 } } }
        let records = fixture.records
        let guest = guest
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for i in 0..<25 {
                        let post = try await records.create(
                            in: "posts", input: RecordInput(["title": .string("w\(writer)-\(i)")]), request: guest)
                        if i % 5 == 0 {
                            _ = try await records.update(
                                in: "posts", id: post.id, input: RecordInput(["slug": "s"]), request: RequestInfo(method: "PATCH"))
                        }
                    }
                }
            }
            // Notes are written too but not delivered to a posts-only hook.
            group.addTask { _ = try await records.create(in: "notes", input: RecordInput(["body": "n"]), request: RequestInfo(auth: .system, method: "POST")) }
            try await group.waitForAll()
        }
        hooks.finishDelivery()
        await delivery.value
        let postSeqs = try await fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "seq" FROM "_changes" WHERE "collectionName" = 'posts' ORDER BY "seq""#))
                .compactMap { $0.values.first?.int64Value }
        }
        let expected = 8 * 25 + 8 * 5  // creates, then every fifth post updated
        #expect(postSeqs.count == expected)
        #expect(seen.withLock { $0 } == postSeqs)
        #expect(failures.withLock { $0 } == postSeqs.filter { $0 % 7 == 0 }.count)
    }
}
