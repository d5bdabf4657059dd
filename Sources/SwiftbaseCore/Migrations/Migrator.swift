import Foundation

/// Applies an app's migrations (see `Migration`) to its store: each one not yet recorded in `_migrations`,
/// in the order given, each in its own write transaction with its record. Safe when two processes open the
/// same data directory at once: the check and the record are in the same transaction, so each runs once.
public struct Migrator: Sendable {
    let collections: CollectionService
    let records: RecordService

    public init(collections: CollectionService, records: RecordService) {
        self.collections = collections
        self.records = records
    }

    /// Applies what is not yet applied and answers the ids it applied now. Stops at the first failure,
    /// thrown as `MigrationFailure`; the ones before it stay applied.
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [String] {
        var seen: Set<String> = []
        for migration in migrations where !seen.insert(migration.id).inserted || migration.id.isEmpty {
            throw MigrationFailure(id: migration.id, error: SwiftbaseError.badRequest("Migration ids must be unique and not empty."))
        }
        var applied: [String] = []
        for migration in migrations {
            if try await apply(migration) { applied.append(migration.id) }
        }
        return applied
    }

    /// The ids recorded as applied, oldest first.
    public func appliedIDs() async throws -> [String] {
        try await collections.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "file" FROM "_migrations" ORDER BY "applied", "file""#))
                .compactMap { $0.values.first?.textValue }
        }
    }

    private func apply(_ migration: Migration) async throws -> Bool {
        struct Outcome: Sendable {
            var entries: [ChangeLogEntry]
            var schema: SchemaSnapshot
            var generation: Int
        }
        let hooks = records.hooks
        let outcome: Outcome?
        do {
            outcome = try await collections.store.write(
                { conn -> Outcome? in
                    let recorded = try conn.row(
                        SQLFragment(
                            unsafeRaw: #"SELECT 1 FROM "_migrations" WHERE "file" = ?"#, arguments: [.text(migration.id)]))
                    guard recorded == nil else { return nil }
                    var transaction = try MigrationTransaction(connection: conn, hooks: hooks)
                    try migration.up(&transaction)
                    try conn.execute(
                        SQLFragment(
                            unsafeRaw: #"INSERT INTO "_migrations" ("file", "applied") VALUES (?, ?)"#,
                            arguments: [.text(migration.id), .integer(Int64(Date().timeIntervalSince1970 * 1_000_000))]))
                    return Outcome(
                        entries: transaction.entries, schema: SchemaSnapshot(try CollectionRepository.loadAll(on: conn), dialect: conn.dialect),
                        generation: try CollectionService.generation(on: conn))
                }, committed: { [records] outcome in if let outcome { records.published(outcome.entries) } })
        } catch {
            throw MigrationFailure(id: migration.id, error: error)
        }
        guard let outcome else { return false }
        collections.registry.publish(outcome.schema, generation: outcome.generation)
        return true
    }

    /// PocketBase's table of applied migrations: the id (`file`) and when it was applied (Unix µs); a
    /// system table, created with the others at bootstrap.
    static let createTableSQL =
        #"CREATE TABLE IF NOT EXISTS "_migrations" ("file" TEXT PRIMARY KEY NOT NULL, "applied" INTEGER NOT NULL)"#
}
