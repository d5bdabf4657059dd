import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices

/// A real SQLite store in a fresh temporary directory, with its schema bootstrapped and the record service on
/// it; `remove()` deletes the directory.
struct StoreFixture {
    let directory: URL
    let path: String
    let store: SQLiteStore
    let registry = SchemaRegistry(dialect: SQLiteDialect())
    let collections: CollectionService
    let records: RecordService

    init(_ label: String, events: EventBus = EventBus()) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("data.db").path
        store = try SQLiteStore(path: path)
        collections = CollectionService(store: store, registry: registry)
        try await collections.bootstrap()
        records = RecordService(store: store, registry: registry, events: events, passwords: BcryptPasswordHasher())
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
