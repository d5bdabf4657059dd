import Foundation
import Logging
import ServiceLifecycle
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// The batch writer on a real `auxiliary.db`: batches per transaction, nothing lost under a burst larger than
/// its buffer (back-pressure), failures retried, and what is buffered stored at graceful shutdown.
@Suite("Request log batch writer", .timeLimit(.minutes(1)))
struct LogBatchWriterTests {
    private func storedCount(_ store: SQLiteLogStore) async throws -> Int {
        try await store.list(LogListQuery(conditions: [], orderBy: [], limit: 1, offset: 0, skipTotal: false)).total
    }

    @Test func storesInBatchesOfAtMostBatchSize() async throws {
        let fixture = try await LogFixture("writer-batches")
        defer { fixture.remove() }
        let flaky = FlakyLogStore(fixture.logStore, failures: 0)
        let writer = LogBatchWriter(store: flaky, limits: .init(capacity: 1000, batchSize: 10, interval: .seconds(60)))
        for _ in 0..<95 { await writer.append(LogFixture.entry()) }
        #expect(writer.buffered == 95)
        #expect(await writer.flush())
        #expect(flaky.batchSizes == [10, 10, 10, 10, 10, 10, 10, 10, 10, 5])
        #expect(try await storedCount(fixture.logStore) == 95)
        #expect(writer.counts == (95, 0))
    }

    /// Between two intervals the running loop stores whole batches only: a steady stream makes transactions of
    /// `batchSize`, and the remainder waits for the interval (here: the shutdown flush).
    @Test func theLoopStoresWholeBatchesBetweenIntervals() async throws {
        let fixture = try await LogFixture("writer-whole-batches")
        defer { fixture.remove() }
        let flaky = FlakyLogStore(fixture.logStore, failures: 0)
        let writer = LogBatchWriter(store: flaky, limits: .init(capacity: 1000, batchSize: 20, interval: .seconds(3600)))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await writer.run() }
            for i in 0..<250 {
                await writer.append(LogFixture.entry(uri: "/api/steady/\(i)"))
                if i % 7 == 0 { await Task.yield() }
            }
            // Wait on the condition: every whole batch (240 entries) stored, the 10 left buffered.
            while writer.counts.stored < 240 { try? await Task.sleep(for: .milliseconds(5)) }
            writer.stop()
        }
        #expect(flaky.batchSizes.allSatisfy { $0 == 20 })
        #expect(writer.buffered == 10)
        await writer.flush()
        #expect(flaky.batchSizes.last == 10)
        #expect(try await storedCount(fixture.logStore) == 250)
    }

    /// With nothing buffered, the loop sleeps with no timer (an idle server wakes no thread for its logs); the
    /// first entry wakes it and is stored within the interval, and then it sleeps again.
    @Test func anIdleLoopSleepsUntilTheFirstEntry() async throws {
        let fixture = try await LogFixture("writer-idle")
        defer { fixture.remove() }
        let writer = LogBatchWriter(
            store: fixture.logStore, limits: .init(capacity: 1000, batchSize: 100, interval: .milliseconds(20)))
        let loop = Task { await writer.run() }
        while !writer.isIdle { try await Task.sleep(for: .milliseconds(1)) }
        await writer.append(LogFixture.entry(uri: "/api/after-idle"))
        while writer.counts.stored < 1 { try await Task.sleep(for: .milliseconds(1)) }
        while !writer.isIdle { try await Task.sleep(for: .milliseconds(1)) }
        #expect(try await storedCount(fixture.logStore) == 1)
        writer.stop()
        await loop.value
    }

    /// 4,000 entries from 8 tasks at once through a buffer of 64: appenders wait for room, none is dropped.
    @Test func aBurstLargerThanTheBufferLosesNothing() async throws {
        let fixture = try await LogFixture("writer-burst")
        defer { fixture.remove() }
        let writer = LogBatchWriter(
            store: fixture.logStore, limits: .init(capacity: 64, batchSize: 32, interval: .milliseconds(50)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await writer.run() }
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for task in 0..<8 {
                    producers.addTask {
                        for i in 0..<500 { await writer.append(LogFixture.entry(uri: "/api/t\(task)/\(i)")) }
                    }
                }
                try await producers.waitForAll()
            }
            // Every append has returned, so at most `capacity` entries are still buffered.
            #expect(writer.buffered <= 64)
            writer.stop()
        }
        await writer.flush()
        #expect(writer.counts == (4000, 0))
        #expect(try await storedCount(fixture.logStore) == 4000)
        let distinct = Set(try await fixture.logStore.list(
            LogListQuery(conditions: [], orderBy: [], limit: 5000, offset: 0, skipTotal: true)).items.map(\.message))
        #expect(distinct.count == 4000)
    }

    @Test func aFailedBatchStaysBufferedAndIsStoredLater() async throws {
        let fixture = try await LogFixture("writer-retry")
        defer { fixture.remove() }
        let flaky = FlakyLogStore(fixture.logStore, failures: 2)
        let writer = LogBatchWriter(store: flaky, limits: .init(capacity: 100, batchSize: 50, interval: .seconds(60)))
        for _ in 0..<30 { await writer.append(LogFixture.entry()) }
        #expect(await writer.flush() == false)
        #expect(await writer.flush() == false)
        #expect(writer.buffered == 30)
        #expect(await writer.flush())
        #expect(writer.counts == (30, 0))
        #expect(try await storedCount(fixture.logStore) == 30)
    }

    /// A store that keeps failing cannot make the buffer grow past its capacity: the oldest are dropped and
    /// counted, and appenders are not held.
    @Test func aFailingStoreDropsOnlyPastCapacity() async throws {
        let fixture = try await LogFixture("writer-drop")
        defer { fixture.remove() }
        let flaky = FlakyLogStore(fixture.logStore, failures: .max)
        let writer = LogBatchWriter(store: flaky, limits: .init(capacity: 10, batchSize: 10, interval: .milliseconds(10)))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await writer.run() }
            for _ in 0..<25 { await writer.append(LogFixture.entry()) }
            writer.stop()
        }
        #expect(writer.buffered <= 10)
        #expect(writer.counts.stored == 0)
        #expect(writer.counts.dropped + writer.buffered == 25)
    }

    @Test func gracefulShutdownStoresWhatIsBuffered() async throws {
        let fixture = try await LogFixture("writer-shutdown")
        defer { fixture.remove() }
        // An interval far beyond the test: only the shutdown flush can store these.
        let writer = LogBatchWriter(
            store: fixture.logStore, limits: .init(capacity: 1000, batchSize: 1000, interval: .seconds(3600)))
        let group = ServiceGroup(
            configuration: .init(services: [LogWriterService(writer: writer)], logger: .init(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<120 { await writer.append(LogFixture.entry()) }
            #expect(try await storedCount(fixture.logStore) == 0)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await storedCount(fixture.logStore) == 120)
        #expect(writer.buffered == 0)
    }
}
