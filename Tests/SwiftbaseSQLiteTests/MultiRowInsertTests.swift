import Foundation
import GRDB
import GRDBSQLite
import SwiftbaseCore
import Testing

@testable import SwiftbaseSQLite

/// Multi-row INSERTs: which statements a batch runs, and that every row of any batch size is stored once, with
/// its exact values, in batch order — through the logs store (chunks of `SQLiteLogStore.insertChunkSize`) and
/// under a variable limit that forces smaller chunks.
@Suite("Multi-row insert", .timeLimit(.minutes(1)))
struct MultiRowInsertTests {
    private static let chunk = SQLiteLogStore.insertChunkSize

    @Test func aBatchRunsFullChunksThenTheRestsBinaryDigits() {
        let insert = MultiRowInsert(table: "t", columns: ["a", "b"], chunkSize: 32)
        #expect(insert.executions(storing: 0) == [])
        #expect(insert.executions(storing: 1) == [1])
        #expect(insert.executions(storing: 31) == [16, 8, 4, 2, 1])
        #expect(insert.executions(storing: 32) == [32])
        #expect(insert.executions(storing: 33) == [32, 1])
        #expect(insert.executions(storing: 101) == [32, 32, 32, 4, 1])
        // Chunks shrink to the largest power of two under the limit (in rows).
        #expect(insert.executions(storing: 23, limit: 6) == [4, 4, 4, 4, 4, 2, 1])
        #expect(insert.executions(storing: 3, limit: 0) == [1, 1, 1])
        #expect(insert.sql(rows: 2) == #"INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?)"#)
        // A chunk size that is no power of two is rounded down.
        #expect(MultiRowInsert(table: "t", columns: ["a"], chunkSize: 50).chunkSize == 32)
    }

    /// Rows whose values tell them apart: ids that sort against batch order (so the order read back is the
    /// order stored, not the ids'), a NUL in a message, non-ASCII text, levels of either sign.
    private static func rows(_ count: Int, batch: Int) -> [LogRow] {
        (0..<count).map { i in
            let data: JSONValue = [
                "batch": .number(Double(batch)), "i": .number(Double(i)), "url": .string("/x?é=\(i)"),
            ]
            let created = String(format: "2026-12-06 10:%02d:%02d.%03dZ", i / 60 % 60, i % 60, i % 1000)
            return LogRow(
                id: String(format: "b%03dz%05d", batch, count - i), created: created,
                level: i % 3 == 0 ? -4 : i * 4, message: "GET /r/\(i)\u{0}tail ü", data: data.jsonString)
        }
    }

    @Test(arguments: [1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5, 500])
    func theLogsStoreKeepsEveryRowOfABatchInOrder(count: Int) async throws {
        let fixture = try await LogFixture("multirow-\(count)")
        defer { fixture.remove() }
        let first = Self.rows(count, batch: 1)
        let second = Self.rows(7, batch: 2)
        try await fixture.logStore.insert(first)
        try await fixture.logStore.insert(second)
        let page = try await fixture.logStore.list(
            LogListQuery(conditions: [], orderBy: [], limit: 1000, offset: 0, skipTotal: false))
        #expect(page.total == count + 7)
        #expect(page.items.map(\.row) == first + second)
    }

    /// A batch is one transaction: a row the table refuses (a duplicate id in the second statement) stores none.
    @Test func aRefusedRowStoresNoneOfItsBatch() async throws {
        let fixture = try await LogFixture("multirow-atomic")
        defer { fixture.remove() }
        var rows = Self.rows(Self.chunk + 8, batch: 1)
        rows[Self.chunk + 3].id = rows[2].id
        await #expect(throws: (any Error).self) { try await fixture.logStore.insert(rows) }
        let page = try await fixture.logStore.list(
            LogListQuery(conditions: [], orderBy: [], limit: 10, offset: 0, skipTotal: false))
        #expect(page.total == 0)
    }

    /// Under a connection whose variable limit admits 2 rows of 5 values, 37 rows still go in, in order.
    @Test func aLowVariableLimitShrinksTheChunks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multirow-limit-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("t.db").path)
        let insert = MultiRowInsert(table: "t", columns: ["a", "b", "c", "d", "e"], chunkSize: 32)
        let values = (0..<37).map { row in (0..<5).map { Int64(row * 10 + $0) } }
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)")
            _ = sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_VARIABLE_NUMBER, 12)
            try insert.run(count: values.count, on: db) { row, parameter, handle in
                for column in 0..<5 {
                    let code = sqlite3_bind_int64(handle, parameter + Int32(column), values[row][column])
                    if code != SQLITE_OK { return code }
                }
                return SQLITE_OK
            }
        }
        let stored = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b, c, d, e FROM t ORDER BY rowid").map { row in
                (0..<5).map { row[$0] as Int64 }
            }
        }
        #expect(stored == values)
    }
}
