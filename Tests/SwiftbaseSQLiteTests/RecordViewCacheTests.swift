import Foundation
import GRDB
@testable import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Synchronization
import Testing

/// Views by id answered from memory on the real SQLite store: the store's committed version moves with
/// every commit — of this store, of another connection, of another process — and a view never answers a
/// record older than the last commit visible when it began.
@Suite("Record view cache on SQLite", .timeLimit(.minutes(2)))
struct RecordViewCacheTests {
    let fixture: StoreFixture
    var path: String { fixture.path }
    var store: SQLiteStore { fixture.store }
    var registry: SchemaRegistry { fixture.registry }
    var collections: CollectionService { fixture.collections }
    var records: RecordService { fixture.records }
    let system = RequestInfo(auth: .system, method: "POST")
    let guest = RequestInfo(auth: .guest, method: "GET")

    init() async throws {
        fixture = try await StoreFixture("viewcache")
        _ = try await fixture.collections.create([
            "name": "notes", "listRule": "", "viewRule": "",
            "fields": [["name": "title", "type": "text"], ["name": "secret", "type": "text"]],
        ])
    }

    func cleanUp() { fixture.remove() }

    func note(_ title: String) async throws -> String {
        try await records.create(in: "notes", input: RecordInput(["title": .string(title)]), request: system).id
    }

    func title(_ id: String) async throws -> String? {
        try await records.view(in: "notes", id: id, request: guest)["title"]?.stringValue
    }

    @Test func versionIsStableWithoutWritesAndMovesWithEachCommit() async throws {
        defer { cleanUp() }
        let before = try #require(store.committedVersion())
        _ = try await store.read { conn in try conn.rows(SQLFragment(unsafeRaw: "SELECT * FROM notes")) }
        #expect(store.committedVersion() == before)
        var seen = [before]
        for i in 0..<20 {
            _ = try await note("n\(i)")
            let now = try #require(store.committedVersion())
            #expect(!seen.contains(now), "commit \(i) left the version where an earlier state had it")
            seen.append(now)
        }
    }

    @Test func aViewIsKeptAndTheNextCommitDropsIt() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        let (generation, schema) = registry.current
        let notes = try #require(schema.collection("notes"))
        #expect(try await title(id) == "first")
        guard case .hit(let kept) = records.viewCache.lookup(collectionID: notes.id, id: id, schemaGeneration: generation)
        else {
            Issue.record("a view with an empty rule was not kept")
            return
        }
        #expect(kept["title"] == "first")
        // Another schema generation does not answer it; any commit drops it.
        guard case .miss = records.viewCache.lookup(collectionID: notes.id, id: id, schemaGeneration: generation + 1)
        else {
            Issue.record("a record decoded under another schema generation was answered")
            return
        }
        _ = try await note("second")
        guard case .miss = records.viewCache.lookup(collectionID: notes.id, id: id, schemaGeneration: generation) else {
            Issue.record("a commit left the kept record in place")
            return
        }
        #expect(records.viewCache.count == 0)
    }

    @Test func aWriteThroughTheServiceIsSeenByTheNextView() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        for i in 0..<50 {
            #expect(try await title(id) == (i == 0 ? "first" : "v\(i - 1)"))
            _ = try await records.update(
                in: "notes", id: id, input: RecordInput(["title": .string("v\(i)")]), request: system)
            #expect(try await title(id) == "v\(i)")
        }
        _ = try await records.delete(in: "notes", id: id, request: system)
        await #expect(throws: SwiftbaseError.self) { try await title(id) }
    }

    @Test func aWriteFromAnotherConnectionIsSeenByTheNextView() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        #expect(try await title(id) == "first")
        let other = try DatabaseQueue(path: path)
        for i in 0..<20 {
            try await other.write { db in
                try db.execute(sql: "UPDATE notes SET title = ? WHERE id = ?", arguments: ["outside \(i)", id])
            }
            #expect(try await title(id) == "outside \(i)")
        }
    }

    @Test func aWriteFromAnotherProcessIsSeenByTheNextView() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        #expect(try await title(id) == "first")
        for i in 0..<3 {
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = [
                "python3", "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE notes SET title=? WHERE id=?', (sys.argv[2], sys.argv[3])); c.commit()",
                path, "process \(i)", id,
            ]
            try python.run()
            python.waitUntilExit()
            try #require(python.terminationStatus == 0)
            #expect(try await title(id) == "process \(i)")
        }
    }

    @Test func aRuleThatStopsBeingEmptyIsDecidedAgain() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        #expect(try await title(id) == "first")
        _ = try await collections.update("notes", with: ["viewRule": "title = 'other'"])
        await #expect(throws: SwiftbaseError.self) { try await title(id) }
    }

    @Test func aFieldMadeHiddenOrAddedShowsInTheNextView() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        #expect(try await records.view(in: "notes", id: id, request: guest)["extra"] == nil)
        let notes = try #require(registry.snapshot.collection("notes"))
        var fields = notes.fields.map { $0.json }
        fields.append(["name": "extra", "type": "number"])
        _ = try await collections.update("notes", with: ["fields": .array(fields)])
        #expect(try await records.view(in: "notes", id: id, request: guest)["extra"] == .number(0))
    }

    @Test func aReadOverlappingACommitIsNotKept() async throws {
        defer { cleanUp() }
        let id = try await note("first")
        let cache = RecordViewCache(store: store)
        let notes = try #require(registry.snapshot.collection("notes"))
        guard case .miss(let ticket) = cache.lookup(collectionID: notes.id, id: id, schemaGeneration: 0) else {
            Issue.record("an empty cache answered a hit")
            return
        }
        let stale = try await records.view(in: "notes", id: id, request: system)
        _ = try await records.update(in: "notes", id: id, input: RecordInput(["title": "second"]), request: system)
        // Another lookup meanwhile moves the cache to the new version; the old read must not join it.
        _ = cache.lookup(collectionID: notes.id, id: "other", schemaGeneration: 0)
        cache.insert(stale, schemaGeneration: 0, after: ticket)
        if case .hit(let record) = cache.lookup(collectionID: notes.id, id: id, schemaGeneration: 0) {
            Issue.record("a read that overlapped a commit was answered: \(record["title"] ?? nil)")
        }
        #expect(cache.count == 0)
    }

    /// Writers and readers at once: after each update returns, no view that starts later may answer an
    /// older title, whichever reader's read filled the cache.
    @Test func viewsAfterAnUpdateNeverAnswerAnOlderTitleUnderConcurrentReads() async throws {
        defer { cleanUp() }
        let id = try await note("0")
        let done = ManagedAtomicFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    // A hit never suspends: yield, or four readers would hold the pool's threads.
                    while !done.isSet {
                        _ = try await title(id)
                        await Task.yield()
                    }
                }
            }
            for i in 1...200 {
                _ = try await records.update(
                    in: "notes", id: id, input: RecordInput(["title": .string("\(i)")]), request: system)
                let seen = try #require(try await title(id))
                #expect(Int(seen) == i, "after update \(i) a view answered \(seen)")
            }
            done.set()
            try await group.waitForAll()
        }
    }
}

/// A flag set once and read from several tasks.
final class ManagedAtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
