/// One step of an app's schema and seed data, written in Swift and shipped with its binary (PocketBase's
/// `migrations`). Each migration runs once per data directory, in the order the app lists them, inside one
/// write transaction together with the record that it ran: it applies whole or not at all.
///
/// ```swift
/// let migrations = [
///     Migration("2026_12_01_create_posts") { tx in
///         try tx.createCollection(["name": "posts", "type": "base", "fields": [["name": "title", "type": "text"]]])
///         try tx.createRecord(in: "posts", ["title": "Hello"])
///     },
/// ]
/// let app = try await SwiftbaseApp.open(configuration, migrations: migrations)
/// ```
///
/// The id is what is recorded (in `_migrations`): never rename or reorder a migration that has shipped; add
/// a new one instead.
public struct Migration: Sendable {
    public let id: String
    let up: @Sendable (inout MigrationTransaction) throws -> Void

    public init(_ id: String, up: @escaping @Sendable (inout MigrationTransaction) throws -> Void) {
        self.id = id
        self.up = up
    }
}

/// A migration that failed: nothing of it was applied, and the migrations after it were not run.
public struct MigrationFailure: Error, CustomStringConvertible {
    public let id: String
    public let error: any Error

    public var description: String { "migration \(id) failed: \(error)" }
}
