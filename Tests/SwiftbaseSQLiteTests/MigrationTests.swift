import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// Migrations on the real store: each runs once, in order, whole or not at all, and is recorded.
@Suite("Migrations", .timeLimit(.minutes(1)))
struct MigrationTests {
    static let createTags = Migration("001_tags") { tx in
        try tx.createCollection(["name": "tags", "fields": [["name": "label", "type": "text", "required": true]]])
        try tx.createRecord(in: "tags", ["label": "swift"])
    }
    static let addColour = Migration("002_tag_colour") { tx in
        let tags = try #require(tx.schema.collection("tags"))
        var fields = tags.json["fields"]?.arrayValue ?? []
        fields.append(["name": "colour", "type": "text"])
        try tx.updateCollection("tags", with: ["fields": .array(fields)])
        try tx.createRecord(in: "tags", ["label": "server", "colour": "blue"])
    }

    func labels(_ fixture: StoreFixture) async throws -> [String] {
        try await fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "label" FROM "tags" ORDER BY "label""#)).compactMap { $0.values.first?.textValue }
        }
    }

    @Test func migrationsApplyOnceInOrderAndAreRecorded() async throws {
        let fixture = try await StoreFixture("migrations")
        defer { fixture.remove() }
        let migrator = Migrator(collections: fixture.collections, records: fixture.records)
        #expect(try await migrator.apply([Self.createTags, Self.addColour]) == ["001_tags", "002_tag_colour"])
        #expect(fixture.registry.snapshot.collection("tags")?.field(named: "colour") != nil)
        #expect(try await labels(fixture) == ["server", "swift"])
        #expect(try await migrator.appliedIDs() == ["001_tags", "002_tag_colour"])
        // Again, as at the next start: nothing runs twice.
        #expect(try await migrator.apply([Self.createTags, Self.addColour]) == [])
        #expect(try await labels(fixture) == ["server", "swift"])
        // Seeded records are logged like any other write.
        let logged = try await fixture.store.read { conn in
            try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_changes" WHERE "collectionName" = 'tags'"#))?.int64Value
        }
        #expect(logged == 2)
    }

    @Test func aFailingMigrationLeavesNothingAndStopsTheRest() async throws {
        let fixture = try await StoreFixture("migrations-fail")
        defer { fixture.remove() }
        let broken = Migration("002_broken") { tx in
            try tx.createCollection(["name": "drafts", "fields": [["name": "body", "type": "text"]]])
            try tx.createRecord(in: "tags", [:])  // label is required
        }
        let after = Migration("003_after") { tx in try tx.createCollection(["name": "later"]) }
        let migrator = Migrator(collections: fixture.collections, records: fixture.records)
        let failure = await #expect(throws: MigrationFailure.self) {
            try await migrator.apply([Self.createTags, broken, after])
        }
        #expect(failure?.id == "002_broken")
        #expect((failure?.error as? SwiftbaseError)?.data == .items(["label": .required]))
        #expect(try await migrator.appliedIDs() == ["001_tags"])
        #expect(fixture.registry.snapshot.collection("drafts") == nil)
        #expect(fixture.registry.snapshot.collection("later") == nil)
        // The table is gone with the transaction, not just the schema entry.
        await #expect(throws: (any Error).self) {
            try await fixture.store.read { conn in try conn.rows(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "drafts""#)) }
        }
    }

    @Test func aMigrationThatCreatesRecordsWithPasswordsIsRefused() async throws {
        let fixture = try await StoreFixture("migrations-password")
        defer { fixture.remove() }
        let seedUser = Migration("001_user") { tx in try tx.createRecord(in: "users", ["email": "a@example.com"]) }
        let failure = await #expect(throws: MigrationFailure.self) {
            try await Migrator(collections: fixture.collections, records: fixture.records).apply([seedUser])
        }
        #expect((failure?.error as? SwiftbaseError)?.message.contains("password") == true)
    }

    @Test func duplicateIDsAreRefusedBeforeAnythingRuns() async throws {
        let fixture = try await StoreFixture("migrations-dup")
        defer { fixture.remove() }
        let migrator = Migrator(collections: fixture.collections, records: fixture.records)
        await #expect(throws: MigrationFailure.self) { try await migrator.apply([Self.createTags, Self.createTags]) }
        #expect(try await migrator.appliedIDs() == [])
    }

    @Test func twoProcessesOpeningTheSameDirectoryApplyEachMigrationOnce() async throws {
        let fixture = try await StoreFixture("migrations-race")
        defer { fixture.remove() }
        let other = try SQLiteStore(path: fixture.path)
        let otherRegistry = SchemaRegistry(dialect: SQLiteDialect())
        let otherCollections = CollectionService(store: other, registry: otherRegistry)
        try await otherCollections.reload()
        let otherRecords = RecordService(store: other, registry: otherRegistry, events: EventBus(), passwords: BcryptPasswordHasher())
        let first = Migrator(collections: fixture.collections, records: fixture.records)
        let second = Migrator(collections: otherCollections, records: otherRecords)
        let list = [Self.createTags, Self.addColour]
        async let a = first.apply(list)
        async let b = second.apply(list)
        let (ranA, ranB) = try await (a, b)
        #expect((ranA + ranB).sorted() == ["001_tags", "002_tag_colour"])
        #expect(try await labels(fixture) == ["server", "swift"])
    }
}
