import Foundation
import Synchronization
import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

@Suite("Audit log barrier")
struct AuditLogBarrierTests {
    /// A store that keeps the targets of inserted audit events, commits each write after `delay`, fails
    /// writes while `failing` is set, and counts writes.
    final class MemoryStore: Store {
        let committed = Mutex<[String]>([])
        let writes = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        let delay: Duration
        init(delay: Duration = .zero) { self.delay = delay }
        var dialect: any SQLDialect { SQLiteDialect() }

        struct Broken: Error {}

        final class Connection: StoreConnection {
            var inserted: [String] = []
            var dialect: any SQLDialect { SQLiteDialect() }
            func execute(_ statement: SQLFragment) throws {
                if statement.sql.contains("INSERT INTO \"_audit\"") { inserted.append(statement.arguments[4].textValue ?? "") }
            }
            func rows(_ query: SQLFragment) throws -> [StoreRow] { [] }
            var changedRowCount: Int { 0 }
        }

        func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
            try body(Connection())
        }

        func write<T: Sendable>(
            _ body: @escaping @Sendable (any StoreConnection) throws -> T, committed: @escaping @Sendable (T) -> Void
        ) async throws -> T {
            let value = try await write(body)
            committed(value)
            return value
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
            writes.add(1, ordering: .relaxed)
            if delay > .zero { try? await Task.sleep(for: delay) }
            if failing.load(ordering: .relaxed) { throw Broken() }
            let connection = Connection()
            let value = try body(connection)
            committed.withLock { $0 += connection.inserted }
            return value
        }

        var targets: [String] { committed.withLock { $0 } }
    }

    func event(_ target: String) -> AuditEvent {
        AuditEvent(event: "auth.login_failed", actor: "guest", ip: "127.0.0.1", target: target)
    }

    @Test func anEventRecordedAndAwaitedIsStored() async {
        let store = MemoryStore()
        let audit = AuditLog(store: store)
        let number = audit.record(event("one"))
        #expect(store.targets.isEmpty)
        #expect(await audit.waitUntilStored(through: number))
        #expect(store.targets == ["one"])
        // nothing left to store: the barrier returns without writing
        #expect(await audit.waitUntilStored(through: number))
        #expect(await audit.waitUntilStored())
        #expect(store.writes.load(ordering: .relaxed) == 1)
    }

    @Test func concurrentWaitersEachFindTheirOwnEventStoredInFewWrites() async {
        let store = MemoryStore(delay: .milliseconds(20))
        let audit = AuditLog(store: store)
        let missing = await withTaskGroup(of: String?.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let number = audit.record(event("e\(i)"))
                    await audit.waitUntilStored(through: number)
                    return store.targets.contains("e\(i)") ? nil : "e\(i)"
                }
            }
            return await group.reduce(into: [String]()) { if let m = $1 { $0.append(m) } }
        }
        #expect(missing.isEmpty)
        #expect(Set(store.targets).count == 200 && store.targets.count == 200)
        // writers share flushes: far fewer writes than events
        #expect(store.writes.load(ordering: .relaxed) < 100)
    }

    @Test func aFailedWriteLosesNothingAndFailsNoOne() async {
        let store = MemoryStore()
        let audit = AuditLog(store: store)
        store.failing.store(true, ordering: .relaxed)
        let first = audit.record(event("a"))
        audit.record(event("b"))
        #expect(await audit.waitUntilStored(through: first) == false)
        await #expect(throws: MemoryStore.Broken.self) { try await audit.flush() }
        #expect(store.targets.isEmpty)
        store.failing.store(false, ordering: .relaxed)
        let third = audit.record(event("c"))
        #expect(await audit.waitUntilStored(through: third))
        #expect(store.targets == ["a", "b", "c"])
    }

    @Test func theRequestBeingServedLearnsWhatItRecorded() async {
        let audit = AuditLog(store: MemoryStore())
        audit.record(event("before"))
        let request = RequestAudit()
        let mine = await RequestAudit.$current.withValue(request) { () async -> UInt64 in
            await withTaskGroup(of: UInt64.self) { group in
                for i in 0..<3 { group.addTask { audit.record(event("child\(i)")) } }
                return await group.reduce(0) { max($0, $1) }
            }
        }
        let quiet = RequestAudit()
        await RequestAudit.$current.withValue(quiet) { await Task.yield() }
        #expect(request.lastEvent == mine && mine == 4)
        #expect(quiet.lastEvent == 0)
    }
}
