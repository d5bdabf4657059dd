import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Text is stored and read back byte for byte, NUL included (issue 13: GRDB binds and reads text as C
/// strings, so `"a\0b\0"` was stored as `"a"`, and a required text field given `"\0abcdef"` passed validation
/// and stored `""`).
@Suite("SQLite text with NUL", .timeLimit(.minutes(1)))
struct TextWithNULTests {
    let fixture: StoreFixture

    init() async throws {
        fixture = try await StoreFixture("nul")
        try await fixture.store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE TABLE "notes" ("id" TEXT PRIMARY KEY NOT NULL, "body" TEXT)"#))
        }
    }

    static let texts = ["a\0b\0", "\0abcdef", "\0", "\0\0\0", "é\0ü\u{1F600}\0", String(repeating: "x\0", count: 5000)]

    @Test(arguments: texts)
    func roundTripsOnReadersAndTheWriter(text: String) async throws {
        let store = fixture.store
        let id = UUID().uuidString
        try await store.write { conn in
            try conn.execute(
                SQLFragment(unsafeRaw: #"INSERT INTO "notes" ("id", "body") VALUES (?, ?)"#, arguments: [.text(id), .text(text)]))
        }
        let select = SQLFragment(unsafeRaw: #"SELECT "body", length(CAST("body" AS BLOB)) AS "bytes" FROM "notes" WHERE "id" = ?"#, arguments: [.text(id)])
        let read = try await store.read { conn in try conn.rows(select) }
        #expect(read.first?["body"] == .text(text))
        #expect(read.first?["bytes"] == .integer(Int64(text.utf8.count)))
        // The writer reads too (an update reads the record it changes), and a value bound with a NUL matches.
        let byValue = SQLFragment(unsafeRaw: #"SELECT "id" FROM "notes" WHERE "body" = ?"#, arguments: [.text(text)])
        let (written, matched) = try await store.write { conn in (try conn.rows(select), try conn.rows(byValue)) }
        #expect(written.first?["body"] == .text(text))
        #expect(matched.map { $0["id"] } == [.text(id)])
        fixture.remove()
    }

    @Test func updatesKeepTheWholeText() async throws {
        let store = fixture.store
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"INSERT INTO "notes" ("id", "body") VALUES ('n', 'plain')"#))
            try conn.execute(
                SQLFragment(unsafeRaw: #"UPDATE "notes" SET "body" = ? WHERE "id" = ?"#, arguments: [.text("x\0y"), .text("n")]))
        }
        let rows = try await store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "body" FROM "notes" WHERE "id" = 'n'"#))
        }
        #expect(rows.first?["body"] == .text("x\0y"))
        fixture.remove()
    }
}
