import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// View collections on the real store: the SQLite view follows its collection's query through updates.
@Suite("View collections on SQLite", .timeLimit(.minutes(1)))
struct ViewCollectionTests {
    let fixture: StoreFixture
    var store: SQLiteStore { fixture.store }
    var collections: CollectionService { fixture.collections }
    var records: RecordService { fixture.records }
    let system = RequestInfo(auth: .system, method: "POST")

    init() async throws {
        fixture = try await StoreFixture("views")
        _ = try await fixture.collections.create([
            "name": "posts", "fields": [["name": "title", "type": "text"], ["name": "views", "type": "number"]],
        ])
    }

    @Test func aChangedQueryIsWhatTheNextViewByIDReads() async throws {
        defer { fixture.remove() }
        let id = try await records.create(in: "posts", input: RecordInput(["title": "a", "views": 30]), request: system).id
        _ = try await collections.create(["name": "v", "type": "view", "viewQuery": "select id, title from posts"])
        #expect(try await records.view(in: "v", id: id, request: system)["title"] == "a")
        _ = try await collections.update("v", with: ["viewQuery": "select id, views from posts"])
        // The same statement text the view by id ran before: SQLite prepares it again for the new view.
        let row = try await store.read { conn in
            try conn.row(SQLFragment(unsafeRaw: #"SELECT "v".* FROM "v" WHERE "v"."id" = ? LIMIT 1"#, arguments: [.text(id)]))
        }
        #expect(row?.columns == ["id", "views"])
        let after = try await records.view(in: "v", id: id, request: system)
        #expect(after["views"] == 30)
        #expect(after["title"] == nil)
    }
}
