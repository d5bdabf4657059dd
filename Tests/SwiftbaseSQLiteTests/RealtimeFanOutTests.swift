import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import SwiftbaseCore
import SwiftbaseSQLite
@testable import SwiftbaseServices
import Testing

/// Fan-out to clients whose transport writes from the connection's event loop (SSE's `RealtimeSink`), on a
/// real store: every client gets its events in commit order whatever loop it is on, a client that stops
/// reading is dropped after its backlog without holding up the others, and nothing is written to a client
/// after its transport has seen it closed.
@Suite("Realtime fan-out", .timeLimit(.minutes(1)))
struct RealtimeFanOutTests {
    static let system = RequestInfo(auth: .system, method: "POST")

    /// What a sink was given, on its loop: the messages and how many flushes. `writable` stands for the
    /// connection's writability (false: a peer that stopped reading).
    final class RecordingSink: RealtimeSink {
        let eventLoop: any EventLoop
        let isWritable: Bool
        private let log = Mutex<(messages: [RealtimeMessage], flushes: Int)>(([], 0))

        init(on eventLoop: any EventLoop, writable: Bool = true) {
            self.eventLoop = eventLoop
            self.isWritable = writable
        }

        func write(_ message: RealtimeMessage) {
            eventLoop.preconditionInEventLoop()
            log.withLock { $0.messages.append(message) }
        }

        func flush() {
            eventLoop.preconditionInEventLoop()
            log.withLock { $0.flushes += 1 }
        }

        var messages: [RealtimeMessage] { log.withLock { $0.messages } }
        var flushes: Int { log.withLock { $0.flushes } }

        /// The `title` of each record received, in order.
        var titles: [String] {
            messages.compactMap { try? JSONValue.parse($0.data)["record"]?["title"]?.stringValue }
        }
    }

    /// A store with a public `posts` collection, a hub on it, and two event loops; `feed` passes committed
    /// transactions to the hub as the realtime service does.
    struct Setup {
        let fixture: StoreFixture
        let hub: SubscriptionHub
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let transactions: AsyncStream<[ChangeLogEntry]>

        init(capacity: Int) async throws {
            let events = EventBus()
            fixture = try await StoreFixture("fanout", events: events)
            transactions = events.subscribeTransactions()
            _ = try await fixture.collections.create([
                "name": "posts", "listRule": "", "viewRule": "", "fields": [["name": "title", "type": "text"]],
            ])
            hub = SubscriptionHub(records: fixture.records, clientCapacity: capacity)
        }

        var loops: [any EventLoop] { Array(group.makeIterator()) }

        func client(_ sink: RecordingSink, subscriptions: [String] = ["posts/*"]) throws -> RealtimeClient {
            let client = hub.connect(remoteIP: "") { _ in sink }
            try hub.setSubscriptions(clientID: client.id, subscriptions: subscriptions, auth: .guest, remoteIP: "")
            return client
        }

        /// Creates a post titled `title` and broadcasts its transaction, as the realtime service does.
        func create(_ title: String) async throws {
            _ = try await fixture.records.create(
                in: "posts", input: RecordInput(["title": .string(title)]), request: RealtimeFanOutTests.system)
            var heard = transactions.makeAsyncIterator()
            await hub.broadcast(transaction: try #require(await heard.next()))
        }

        /// Creates posts titled by `titles`, one transaction each, and broadcasts them; returns once every loop
        /// has written what the hub gave it.
        func createAndDeliver(_ titles: [String]) async throws {
            for title in titles { try await create(title) }
            await hub.settled()
        }

        func tearDown() async throws {
            fixture.remove()
            try await group.shutdownGracefully()
        }
    }

    @Test func everyClientGetsItsEventsInOrderAndASlowOneIsDroppedAlone() async throws {
        let setup = try await Setup(capacity: 5)
        let (first, second) = (setup.loops[0], setup.loops[1])
        let fast = [RecordingSink(on: first), RecordingSink(on: second), RecordingSink(on: first)]
        for sink in fast { _ = try setup.client(sink) }
        let stalled = RecordingSink(on: second, writable: false)
        let slow = try setup.client(stalled)

        let titles = (0..<12).map { "post \($0)" }
        try await setup.createAndDeliver(titles)

        for sink in fast {
            #expect(sink.titles == titles)
            #expect((1...titles.count).contains(sink.flushes))
        }
        // Five messages may wait behind an unwritable connection; the sixth closes the client.
        #expect(stalled.titles == Array(titles.prefix(5)))
        #expect(slow.closedReason == "too slow: its message queue overflowed")
        try await setup.tearDown()
    }

    /// A loop busy elsewhere when changes arrive writes them all in its next drain, in order, and flushes each
    /// client once; a client gets one message per subscription that matches.
    @Test func changesThatPileUpOnABusyLoopGoOutInOneFlush() async throws {
        let setup = try await Setup(capacity: 100)
        let loop = setup.loops[0]
        let (both, one) = (RecordingSink(on: loop), RecordingSink(on: loop))
        _ = try setup.client(both, subscriptions: ["posts/*", "posts", "comments/*"])
        _ = try setup.client(one)

        let busy = DispatchSemaphore(value: 0)
        loop.execute { busy.wait() }
        for title in ["a", "b", "c"] { try await setup.create(title) }
        #expect(both.messages.isEmpty)
        busy.signal()
        await setup.hub.settled()

        #expect(both.titles == ["a", "a", "b", "b", "c", "c"])
        #expect(Set(both.messages.map(\.name)) == ["posts/*", "posts"])
        #expect(one.titles == ["a", "b", "c"])
        #expect(both.flushes == 1 && one.flushes == 1)
        try await setup.tearDown()
    }

    /// A fan-out to more clients than a slice leaves the loop's other work a turn between slices; a change
    /// that arrives meanwhile follows the one being written, for every client.
    @Test func aLongFanOutLetsOtherWorkOnItsLoopRunBetweenSlices() async throws {
        let setup = try await Setup(capacity: 100)
        let loop = setup.loops[0]
        let sinks = (0..<100).map { _ in RecordingSink(on: loop) }
        for sink in sinks { _ = try setup.client(sink) }

        let busy = DispatchSemaphore(value: 0)
        loop.execute { busy.wait() }
        try await setup.create("first")
        // Queued behind the drain: it runs after the first slice, not after all 100 clients.
        let writtenBeforeOtherWork = loop.submit { sinks.filter { !$0.messages.isEmpty }.count }
        busy.signal()
        #expect(try await writtenBeforeOtherWork.get() == RealtimeLoopOutbox.sliceSize)
        try await setup.create("second")
        await setup.hub.settled()

        for sink in sinks { #expect(sink.titles == ["first", "second"]) }
        try await setup.tearDown()
    }

    /// What an SSE response relies on to end cleanly: once the client is closed and the transport has run
    /// anything on the loop, the hub writes nothing more to it — even while the client is still in the hub's
    /// table (closed, not yet disconnected, as when the hub judged a change before the close).
    @Test func nothingIsWrittenAfterTheClientIsClosed() async throws {
        let setup = try await Setup(capacity: 100)
        let loop = setup.loops[0]
        let (kept, left) = (RecordingSink(on: loop), RecordingSink(on: loop))
        _ = try setup.client(kept)
        let leaving = try setup.client(left)

        try await setup.createAndDeliver(["before"])
        leaving.close(reason: "connection closed")
        try await loop.submit {}.get()
        try await setup.createAndDeliver(["after"])

        #expect(kept.titles == ["before", "after"])
        #expect(left.titles == ["before"])
        #expect(setup.hub.clientCount == 2)
        await leaving.closed()
        try await setup.tearDown()
    }

    @Test func theSharedServerSentEventsForm() {
        let message = RealtimeMessage(name: "posts/*", data: #"{"action":"create"}"#)
        #expect(String(buffer: message.event) == "event:posts/*\ndata:{\"action\":\"create\"}\n\n")
    }
}
