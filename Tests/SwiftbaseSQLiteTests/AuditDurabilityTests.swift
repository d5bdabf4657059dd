import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// The audit barrier on a real SQLite store.
@Suite("Audit durability")
struct AuditDurabilityTests {
    @Test func eventsAwaitedAreInTheDatabase() async throws {
        let fixture = try await StoreFixture("audit-barrier")
        defer { fixture.remove() }
        let audit = AuditLog(store: fixture.store)
        let stored = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask {
                    let number = audit.record(
                        AuditEvent(event: "rule.denied", actor: "guest", ip: "", target: "t\(i)"))
                    await audit.waitUntilStored(through: number)
                    let query = SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_audit" WHERE "target" = ?"#, arguments: [.text("t\(i)")])
                    let count = try? await fixture.store.read { try $0.scalar(query)?.int64Value }
                    return count == 1
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(stored == 100)
    }
}
