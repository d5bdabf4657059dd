import Foundation
import SwiftbaseCore
@testable import SwiftbaseSQLite
import Testing

/// The count of a list runs as SQLite planned it or as a scan of the main table, whichever has been
/// cheaper for that query text; the count itself never depends on the choice.
@Suite("SQLite count plans", .timeLimit(.minutes(2)))
struct CountPlanTests {
    /// `rows` items: `n` from 0 to rows-1 (indexed), `flag` on every other one.
    static func store(rows: Int, plans: SQLiteCountPlans = SQLiteCountPlans()) async throws -> SQLiteStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-counts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("data.db").path, countPlans: plans)
        try await store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "n" INTEGER, "flag" BOOLEAN, "pad" TEXT)"#))
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE INDEX "idx_items_n" ON "items" ("n")"#))
            for i in 0..<rows {
                try conn.execute(
                    SQLFragment(
                        unsafeRaw: #"INSERT INTO "items" VALUES (?, ?, ?, ?)"#,
                        arguments: [
                            .text("item\(i)"), .integer(Int64((i * 7919) % rows)), .integer(Int64(i % 2)),
                            .text(String(repeating: "x", count: 60)),
                        ]))
            }
        }
        return store
    }

    static func counts(above n: Int) -> (planned: SQLFragment, scan: SQLFragment) {
        let condition = #" WHERE ("n" > ?) AND ("flag" = 1)"#
        return (
            SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "items""# + condition, arguments: [.integer(Int64(n))]),
            SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "items" NOT INDEXED"# + condition, arguments: [.integer(Int64(n))])
        )
    }

    /// Thresholds across the whole range, with every query trying the other form each 4th run: the answer is
    /// always the count of matching rows.
    @Test func countIsTheSameWhicheverFormRuns() async throws {
        let plans = SQLiteCountPlans(worthTrying: .zero, retryEvery: 4)
        let store = try await Self.store(rows: 2_000, plans: plans)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let n = Int.random(in: -1...2_000, using: &generator)
            let (planned, scan) = Self.counts(above: n)
            let count = try await store.read { conn in try conn.count(planned, orScan: scan) }
            let expected = (0..<2_000).filter { i in (i * 7919) % 2_000 > n && i % 2 == 1 }.count
            #expect(count == expected, "n > \(n)")
        }
        let costs = try #require(plans.costs(of: Self.counts(above: 0).planned.sql))
        #expect(costs.planned != nil && costs.scan != nil)
    }

    /// A range that keeps every row costs one table lookup per index entry through the index; the scan
    /// reads the table once. After a few runs the scan is the form chosen.
    @Test func aScanWinsWhenTheIndexKeepsMostRows() async throws {
        let plans = SQLiteCountPlans(worthTrying: .zero, retryEvery: 8)
        let store = try await Self.store(rows: 20_000, plans: plans)
        let (planned, scan) = Self.counts(above: -1)
        for _ in 0..<12 {
            let count = try await store.read { conn in try conn.count(planned, orScan: scan) }
            #expect(count == 10_000)
        }
        let costs = try #require(plans.costs(of: planned.sql))
        #expect(try #require(costs.scan) < #require(costs.planned))
        #expect(plans.choose(for: planned.sql).0 == .scan)
    }

    /// A range that keeps a handful of rows: the planned form is cheap, a trial scan of 50,000 rows is stopped
    /// at twice that cost, the count still comes out right, and the planned form stays the choice.
    @Test func aSlowTrialIsStoppedAtItsBudget() async throws {
        let plans = SQLiteCountPlans(worthTrying: .zero, retryEvery: 1_000)
        let store = try await Self.store(rows: 50_000, plans: plans)
        let (planned, scan) = Self.counts(above: 49_990)
        let first = try await store.read { conn in try conn.count(planned, orScan: scan) }
        #expect(plans.choose(for: planned.sql).0 == .scan)  // the next run is the trial…
        let trial = try await store.read { conn in try conn.count(planned, orScan: scan) }
        let costs = try #require(plans.costs(of: planned.sql))
        #expect(first == trial)
        let scanCost = try #require(costs.scan), plannedCost = try #require(costs.planned)
        #expect(scanCost > plannedCost)
        // Stopped near its budget of twice the planned cost, not run to the end (a full scan of 50,000 rows
        // costs hundreds of times the planned count of ten).
        #expect(scanCost < 20 * plannedCost, "trial \(scanCost) ns, planned \(plannedCost) ns")
        #expect(plans.choose(for: planned.sql).0 == .planned)
    }
}
