import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Group commit on the real SQLite store: concurrent writes share transactions, yet each one commits or
/// fails on its own — a failing write leaves nothing behind and takes no other write down with it.
@Suite("SQLite write groups", .timeLimit(.minutes(1)))
struct WriteGroupTests {
    struct Refused: Error {}

    let store: SQLiteStore

    init() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-groups-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("data.db").path)
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "n" INTEGER)"#))
        }
    }

    func insert(_ id: String, _ n: Int) -> SQLFragment {
        SQLFragment(unsafeRaw: #"INSERT INTO "items" ("id", "n") VALUES (?, ?)"#, arguments: [.text(id), .integer(Int64(n))])
    }

    /// 300 writes at once: every 3rd repeats an id (a unique violation), every 5th throws after inserting.
    @Test func eachWriteCommitsOrFailsAlone() async throws {
        try await store.write { conn in try conn.execute(insert("taken", 0)) }
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for i in 0..<300 {
                group.addTask {
                    do {
                        try await store.write { conn in
                            try conn.execute(insert(i % 3 == 0 ? "taken" : "item\(i)", i))
                            if i % 5 == 0 { throw Refused() }
                        }
                        return (i, "ok")
                    } catch is StoreConstraintError {
                        return (i, "unique")
                    } catch is Refused {
                        return (i, "refused")
                    } catch {
                        return (i, "other \(error)")
                    }
                }
            }
            return await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        for i in 0..<300 {
            #expect(outcomes[i] == (i % 3 == 0 ? "unique" : i % 5 == 0 ? "refused" : "ok"), "write \(i)")
        }
        let stored = try await store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "n" FROM "items" WHERE "id" != 'taken' ORDER BY "n""#))
        }
        let expected = (0..<300).filter { $0 % 3 != 0 && $0 % 5 != 0 }.map(Int64.init)
        #expect(stored.compactMap { $0["n"]?.int64Value } == expected)
    }

    /// A write's answer comes after its commit: a read started after the answer sees it.
    @Test func answeredWritesAreVisibleToTheNextRead() async throws {
        for i in 0..<50 {
            try await store.write { conn in try conn.execute(insert("seq\(i)", i)) }
            let count = try await store.read { conn in
                try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "items" WHERE "id" LIKE 'seq%'"#))
            }
            #expect(count?.int64Value == Int64(i + 1))
        }
    }
}
