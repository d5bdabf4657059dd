import Foundation
import Synchronization
import SwiftbaseTesting
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// The change feed on the real store: pages by cursor and filter, and a tail that replays, follows new
/// commits, says when it is quiet, and ends when the bus does.
@Suite("Change feed", .timeLimit(.minutes(1)))
struct ChangeFeedTests {
    let system = RequestInfo(auth: .system, method: "POST")

    func fixture() async throws -> (StoreFixture, EventBus, ChangeFeed) {
        let events = EventBus()
        let fixture = try await StoreFixture("feed", events: events)
        for name in ["a", "b"] {
            _ = try await fixture.collections.create(["name": .string(name), "fields": [["name": "n", "type": "number"]]])
        }
        return (fixture, events, ChangeFeed(store: fixture.store, events: events))
    }

    @Test func pagesFollowTheCursorAndTheFilters() async throws {
        let (fixture, _, feed) = try await fixture()
        defer { fixture.remove() }
        for i in 0..<5 {
            let record = try await fixture.records.create(in: i.isMultiple(of: 2) ? "a" : "b", input: RecordInput(["n": .number(Double(i))]), request: system)
            if i == 4 { try await fixture.records.delete(in: "a", id: record.id, request: system) }
        }
        let all = try await feed.read(ChangeFeedQuery())
        #expect(all.entries.map(\.collectionName) == ["a", "b", "a", "b", "a", "a"])
        #expect(all.entries.map(\.action) == ["create", "create", "create", "create", "create", "delete"])
        #expect(all.next == all.entries.last?.seq)
        let aID = try #require(fixture.registry.snapshot.collection("a")).id
        let deletes = try await feed.read(ChangeFeedQuery(collectionIds: [aID], actions: [.delete]))
        #expect(deletes.entries.count == 1)
        #expect(deletes.next == all.next)  // a short page has seen everything to the head
        let first = try await feed.read(ChangeFeedQuery(limit: 2))
        #expect(first.entries.map(\.seq) == Array(all.entries.map(\.seq).prefix(2)))
        let second = try await feed.read(ChangeFeedQuery(after: first.next, limit: 2))
        #expect(second.entries.map(\.seq) == Array(all.entries.map(\.seq).dropFirst(2).prefix(2)))
        // The entry is the logged JSON, spliced in as it is.
        let json = try JSONValue.parse(String(decoding: all.entries[0].json, as: UTF8.self))
        #expect(json["record"]?["n"] == 0)
        #expect(json["seq"]?.doubleValue == Double(all.entries[0].seq))
    }

    @Test func theTailReplaysFollowsSaysWhenQuietAndEndsWithTheBus() async throws {
        let (fixture, events, feed) = try await fixture()
        defer { fixture.remove() }
        _ = try await fixture.records.create(in: "a", input: RecordInput(["n": 1]), request: system)
        var tail = feed.tail(ChangeFeedQuery(), keepAlive: .milliseconds(50)).makeAsyncIterator()
        let replayed = try #require(try await tail.next())
        #expect(replayed.entries.map(\.action) == ["create"])
        let quiet = try #require(try await tail.next())
        #expect(quiet.entries.isEmpty)
        #expect(quiet.next == replayed.next)
        _ = try await fixture.records.create(in: "b", input: RecordInput(["n": 2]), request: system)
        var live = try #require(try await tail.next())
        while live.entries.isEmpty { live = try #require(try await tail.next()) }  // a tick may come first
        #expect(live.entries.map(\.collectionName) == ["b"])
        events.finish()
        // Ends (returns nil) once the bus has finished; at most quiet ticks come before.
        while let page = try await tail.next() { #expect(page.entries.isEmpty) }
    }

    @Test func retentionPrunesOldestFirstInBatchesUpToTheHoldAndReadersBehindItAreToldSo() async throws {
        let (fixture, _, feed) = try await fixture()
        defer { fixture.remove() }
        for i in 0..<7 { _ = try await fixture.records.create(in: "a", input: RecordInput(["n": .number(Double(i))]), request: system) }
        let seqs = try await feed.read(ChangeFeedQuery()).entries.map(\.seq)
        let retention = ChangeLogRetention(store: fixture.store, batchSize: 2)
        let later = Date().addingTimeInterval(2 * 86_400)
        // Nothing is a day old yet; 0 days keeps everything.
        #expect(try await retention.prune(maxAgeDays: 1, now: Date()) == 0)
        #expect(try await retention.prune(maxAgeDays: 0, now: later) == 0)
        // Two days on, all are older than a day; the hold keeps the fifth and later.
        #expect(try await retention.prune(maxAgeDays: 1, now: later, hold: seqs[3]) == 4)
        #expect(try await feed.read(ChangeFeedQuery(after: seqs[3])).entries.map(\.seq) == Array(seqs[4...]))
        let gone = await #expect(throws: SwiftbaseError.self) { try await feed.read(ChangeFeedQuery(after: seqs[2])) }
        #expect(gone?.code == .gone)
        #expect(gone?.data == .items(["after": ErrorItem(
            "changes_pruned", "Entries up to seq \(seqs[3]) were pruned; read on from seq \(seqs[3]) or later.",
            params: ["oldestSeq": .number(Double(seqs[3] + 1))])]))
        // Without a hold the rest goes too, and a reader from the start is still told, not given nothing.
        #expect(try await retention.prune(maxAgeDays: 1, now: later) == 3)
        await #expect(throws: SwiftbaseError.self) { try await feed.read(ChangeFeedQuery(after: 0)) }
        #expect(try await feed.read(ChangeFeedQuery(after: seqs[6])).entries.isEmpty)
    }

    /// A thousand resumptions of the tail from the last entry received (what `Last-Event-ID` carries), each
    /// after a seeded random number of pages and a seeded random pause, while a writer commits to both
    /// collections: what the reader of one collection collects is exactly that collection's log, in order —
    /// no gap and no duplicate at any hand-over from replay to live.
    @Test func aThousandResumedTailsCollectExactlyTheLog() async throws {
        let (fixture, _, feed) = try await fixture()
        defer { fixture.remove() }
        let bID = try #require(fixture.registry.snapshot.collection("b")).id
        let start = try await feed.head()
        let stop = Mutex(false)
        let writer = Task { [records = fixture.records, system] in
            var i = 0
            while !stop.withLock({ $0 }) && i < 50_000 {
                _ = try await records.create(in: i.isMultiple(of: 3) ? "a" : "b", input: RecordInput(["n": .number(Double(i))]), request: system)
                i += 1
            }
        }
        var random = SeededRandom(seed: 0x7A11_0F_1000)
        var collected: [Int64] = []
        var cursor = start
        for _ in 0..<1_000 {
            let query = ChangeFeedQuery(after: cursor, collectionIds: [bID], limit: random.int(1..<6))
            var tail = feed.tail(query, keepAlive: .milliseconds(50)).makeAsyncIterator()
            for _ in 0..<random.int(1..<4) {
                guard let page = try await tail.next() else { break }
                collected += page.entries.map(\.seq)
                if let last = page.entries.last { cursor = last.seq }
            }
            try await Task.sleep(for: .microseconds(random.int(0..<1_500)))
        }
        stop.withLock { $0 = true }
        try await writer.value
        // What is left after the last resumption, read by pages, then the whole log to compare with.
        while true {
            let page = try await feed.read(ChangeFeedQuery(after: cursor, collectionIds: [bID], limit: 1_000))
            collected += page.entries.map(\.seq)
            guard let last = page.entries.last else { break }
            cursor = last.seq
        }
        var logged: [Int64] = []
        var after = start
        while true {
            let page = try await feed.read(ChangeFeedQuery(after: after, collectionIds: [bID], limit: 1_000))
            logged += page.entries.map(\.seq)
            guard let last = page.entries.last else { break }
            after = last.seq
        }
        #expect(logged.count > 500)
        #expect(collected == logged)
    }
}
