import Foundation
import SwiftbaseCore
import Testing

@testable import SwiftbaseSQLite

/// Client-shaped SQL must not grow the statement caches without end (issue 13): distinct filters are
/// distinct texts, each a prepared program cached on every connection that ran it.
@Suite struct StatementCacheBudgetTests {
    @Test func aConnectionStartsOverPastItsBudget() {
        let budget = StatementCacheBudget()
        let connection = ObjectIdentifier(budget)
        for i in 0..<3 { #expect(budget.admit("SELECT \(i)", on: connection, capacity: 3) == .cached) }
        #expect(budget.admit("SELECT 1", on: connection, capacity: 3) == .cached)
        #expect(budget.admit("SELECT 3", on: connection, capacity: 3) == .startOver)
        #expect(budget.admit("SELECT 3", on: connection, capacity: 3) == .cached)
        #expect(budget.admit("SELECT 0", on: connection, capacity: 3) == .cached)  // counted anew
    }

    /// 2,000 distinct filters through the real store: every one answers right, and the last of them still
    /// finds what the first did (the caches were emptied and refilled, never wrong).
    @Test func distinctFiltersAnswerRightAcrossStartOvers() async throws {
        let fixture = try await StoreFixture("budget")
        defer { fixture.remove() }
        try await fixture.store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE TABLE "t" ("n" INTEGER)"#))
            try conn.execute(SQLFragment(unsafeRaw: #"INSERT INTO "t" VALUES (1), (2), (3)"#))
        }
        for terms in 1...2000 {
            let condition = Array(repeating: #""n" = ?"#, count: terms % 300 + 1).joined(separator: " OR ")
            let sql = #"SELECT COUNT(*) FROM "t" WHERE "# + condition + " /* \(terms) */"
            let arguments = Array(repeating: SQLValue.integer(2), count: terms % 300 + 1)
            let count = try await fixture.store.read { conn in try conn.scalar(SQLFragment(unsafeRaw: sql, arguments: arguments)) }
            #expect(count == .integer(1))
        }
    }
}
