import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// The import mode on the real SQLite store (`swiftbase import pocketbase`): collections adopted with their
/// ids, timestamps and secrets whatever order their references come in; records stored with their own ids,
/// timestamps and password hashes, outside the change log.
@Suite("Import on SQLite", .timeLimit(.minutes(1)))
struct ImportTests {
    static let hash = "$2a$10$abcdefghijklmnopqrstuu5Yc0KHgu3r9ZzQ5Yc0KHgu3r9ZzQ5Y."

    /// `authors` ↔ `books` reference each other (a cycle, `books` listed first), and a view reads `books`.
    static let collections: [JSONValue] = [
        [
            "id": "pbc_books", "name": "books", "type": "base", "system": false,
            "created": "2024-01-02 03:04:05.678Z", "updated": "2024-02-03 04:05:06.789Z",
            "listRule": "author.name != ''", "viewRule": nil, "createRule": nil, "updateRule": nil, "deleteRule": nil,
            "fields": [
                ["id": "text3208210256", "name": "id", "type": "text", "system": true, "primaryKey": true,
                 "required": true, "min": 15, "max": 15, "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}"],
                ["id": "text_title", "name": "title", "type": "text"],
                ["id": "rel_author", "name": "author", "type": "relation", "collectionId": "pbc_authors", "maxSelect": 1],
                ["id": "json_meta", "name": "meta", "type": "json"],
                ["id": "pw_pin", "name": "pin", "type": "password", "hidden": true],
            ],
            "indexes": ["CREATE UNIQUE INDEX idx_books_title ON books (title)",
                        "CREATE INDEX idx_books_author ON books (author)"],
        ],
        [
            "id": "pbc_authors", "name": "authors", "type": "auth", "system": false,
            "created": "2023-12-31 00:00:00.000Z", "updated": "2023-12-31 00:00:00.000Z",
            "listRule": "", "viewRule": "", "createRule": nil, "updateRule": nil, "deleteRule": nil,
            "authToken": ["duration": 1209600, "secret": "given-auth-secret-0123456789abcdef0123456789"],
            "fields": [
                ["id": "text_name", "name": "name", "type": "text"],
                ["id": "rel_fav", "name": "favorite", "type": "relation", "collectionId": "pbc_books", "maxSelect": 1],
                ["id": "autodate_c", "name": "created", "type": "autodate", "onCreate": true],
                ["id": "autodate_u", "name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true],
            ],
            "indexes": [],
        ],
        [
            "id": "pbc_shelf", "name": "shelf", "type": "view", "system": false,
            "created": "2024-03-01 00:00:00.000Z", "updated": "2024-03-01 00:00:00.000Z",
            "listRule": "", "viewRule": "", "createRule": nil, "updateRule": nil, "deleteRule": nil,
            "viewQuery": "SELECT id, title FROM books", "fields": [["id": "_clone_abcd", "name": "title", "type": "text"]],
            "indexes": [],
        ],
    ]

    @Test func collectionsAreAdoptedWithTheirIdsTimestampsAndSecretsInAnyOrder() async throws {
        let fixture = try await StoreFixture("import-adopt")
        defer { fixture.remove() }
        try await fixture.collections.adopt(Self.collections)
        let schema = fixture.registry.snapshot
        let books = try #require(schema.collection("books"))
        #expect(books.id == "pbc_books")
        #expect(books.created == "2024-01-02 03:04:05.678Z" && books.updated == "2024-02-03 04:05:06.789Z")
        #expect(books.fields.map(\.name) == ["id", "title", "author", "meta", "pin"])
        #expect(books.listRule == "author.name != ''")
        #expect(books.indexes.first == "CREATE UNIQUE INDEX idx_books_title ON books (title)")
        let authors = try #require(schema.collection("pbc_authors"))
        #expect(authors.field(named: "favorite") != nil)
        #expect(authors.auth?.authTokenSecret == "given-auth-secret-0123456789abcdef0123456789")
        #expect(schema.collection("shelf")?.fields.first(where: { $0.name == "title" })?.id == "_clone_abcd")
        // The default `users` is not in the list: dropped; the system collections stay.
        #expect(schema.collection("users") == nil)
        #expect(schema.collection(SystemCollections.superusersID) != nil)
        // The unique index was made.
        let indexes = try await fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "name" FROM "sqlite_master" WHERE "type" = 'index'"#))
                .compactMap { $0.values.first?.textValue }
        }
        #expect(indexes.contains("idx_books_title") && indexes.contains("idx_books_author"))
    }

    @Test func recordsKeepTheirIdsTimestampsAndHashesOutsideTheChangeLog() async throws {
        let fixture = try await StoreFixture("import-records")
        defer { fixture.remove() }
        try await fixture.collections.adopt(Self.collections)
        let columns = ["id", "email", "password", "tokenKey", "verified", "emailVisibility", "name", "favorite",
                       "created", "updated", "notAField"]
        let author = StoreRow(
            columns: columns,
            values: [.text("a00000000000001"), .text("ada@example.com"), .text(Self.hash), .text("tk-given-0000000000000000000000000"),
                     .integer(1), .integer(0), .text("Ada"), .text("b00000000000001"), .text("2020-01-01 00:00:00.000Z"),
                     .text("2021-01-01 00:00:00.000Z"), .text("ignored")])
        try await fixture.records.importStored([author], into: "pbc_authors")
        let book = StoreRow(
            columns: ["id", "title", "author", "meta", "pin"],
            values: [.text("b00000000000001"), .text("Notes"), .text("a00000000000001"),
                     .blob(Array(#"{"pages":3,"tags":["x"]}"#.utf8)), .text(Self.hash)])
        try await fixture.records.importStored([book], into: "books")

        let stored = try await fixture.store.read { conn in
            (
                try conn.row(SQLFragment(unsafeRaw: #"SELECT * FROM "authors""#)),
                try conn.row(SQLFragment(unsafeRaw: #"SELECT * FROM "books""#)),
                try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_changes""#))
            )
        }
        let (storedAuthor, storedBook, changes) = stored
        #expect(storedAuthor?["password"]?.textValue == Self.hash)
        #expect(storedAuthor?["tokenKey"]?.textValue == "tk-given-0000000000000000000000000")
        #expect(storedAuthor?["created"]?.textValue == "2020-01-01 00:00:00.000Z")
        #expect(storedAuthor?["updated"]?.textValue == "2021-01-01 00:00:00.000Z")
        #expect(storedAuthor?["verified"]?.int64Value == 1)
        #expect(storedBook?["pin"]?.textValue == Self.hash)
        #expect(try JSONValue.parse(storedBook?["meta"]?.textValue ?? "") == ["pages": 3, "tags": ["x"]])
        #expect(changes?.int64Value == 0)
    }

    @Test func aBatchBreakingAUniqueIndexStoresNothing() async throws {
        let fixture = try await StoreFixture("import-unique")
        defer { fixture.remove() }
        try await fixture.collections.adopt(Self.collections)
        let rows = ["b00000000000001", "b00000000000002"].map {
            StoreRow(columns: ["id", "title"], values: [.text($0), .text("Same title")])
        }
        await #expect(throws: StoreConstraintError.self) {
            try await fixture.records.importStored(rows, into: "books")
        }
        let count = try await fixture.store.read { conn in
            try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "books""#))
        }
        #expect(count?.int64Value == 0)
    }

    @Test func aRelationToAMissingCollectionIsRefusedNamingTheCollection() async throws {
        let fixture = try await StoreFixture("import-missing")
        defer { fixture.remove() }
        var broken = Self.collections[0].objectValue ?? [:]
        broken["fields"] = [["id": "rel_x", "name": "x", "type": "relation", "collectionId": "pbc_nowhere", "maxSelect": 1]]
        broken["indexes"] = []
        broken["listRule"] = nil
        await #expect {
            try await fixture.collections.adopt([.object(broken)])
        } throws: { error in
            (error as? CollectionService.AdoptionFailure)?.collection == "books"
        }
        #expect(fixture.registry.snapshot.collection("books") == nil)
    }
}
