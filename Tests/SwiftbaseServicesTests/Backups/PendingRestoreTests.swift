import Foundation
import Testing

@testable import SwiftbaseServices

/// A staged restore replaces the data folder whole, and an apply interrupted half-way is finished by the
/// next one — never half old, half restored.
@Suite("Pending restore")
struct PendingRestoreTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sb-restore-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ url: URL) -> String? { (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } }

    /// A backup of a folder holding `data.db` = "new" and `storage/a.txt` = "new a".
    func backup(in base: URL) throws -> URL {
        let source = base.appendingPathComponent("source")
        try write("new", source.appendingPathComponent("data.db"))
        try write("new a", source.appendingPathComponent("storage/a.txt"))
        let zip = base.appendingPathComponent("b.zip")
        try BackupArchive.create(
            dataDirectory: source, destination: zip,
            snapshot: { path, _ in try FileManager.default.copyItem(atPath: source.appendingPathComponent("data.db").path, toPath: path) })
        return zip
    }

    func oldData(in data: URL) throws {
        try write("old", data.appendingPathComponent("data.db"))
        try write("old wal", data.appendingPathComponent("data.db-wal"))
        try write("old b", data.appendingPathComponent("storage/b.txt"))
        try write("kept", data.appendingPathComponent("backups/keep.zip"))
    }

    @Test func replacesTheDataAndKeepsBackups() throws {
        let base = try folder()
        let data = base.appendingPathComponent("data")
        try oldData(in: data)
        try PendingRestore.stage(try backup(in: base), dataDirectory: data)
        #expect(try PendingRestore.applyIfStaged(dataDirectory: data))
        #expect(read(data.appendingPathComponent("data.db")) == "new")
        #expect(read(data.appendingPathComponent("storage/a.txt")) == "new a")
        #expect(read(data.appendingPathComponent("storage/b.txt")) == nil)
        #expect(read(data.appendingPathComponent("data.db-wal")) == nil)
        #expect(read(data.appendingPathComponent("backups/keep.zip")) == "kept")
        #expect(try !PendingRestore.applyIfStaged(dataDirectory: data))
    }

    @Test func anInterruptedApplyIsFinishedByTheNextStart() throws {
        let base = try folder()
        let data = base.appendingPathComponent("data")
        try oldData(in: data)
        try PendingRestore.stage(try backup(in: base), dataDirectory: data)
        // Crash after the first step: data.db was put in place, storage was not.
        let aside = data.appendingPathComponent(".sb_restore_old/crashed")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: data.appendingPathComponent("data.db"), to: aside.appendingPathComponent("data.db"))
        try FileManager.default.moveItem(
            at: data.appendingPathComponent(".sb_restore/next/data.db"), to: data.appendingPathComponent("data.db"))
        #expect(try PendingRestore.applyIfStaged(dataDirectory: data))
        #expect(read(data.appendingPathComponent("data.db")) == "new")
        #expect(read(data.appendingPathComponent("storage/a.txt")) == "new a")
        #expect(read(data.appendingPathComponent("storage/b.txt")) == nil)
    }

    @Test func aMissingBackupIsNotStaged() throws {
        let base = try folder()
        let data = base.appendingPathComponent("data")
        try oldData(in: data)
        #expect(throws: (any Error).self) { try PendingRestore.stage(base.appendingPathComponent("missing.zip"), dataDirectory: data) }
        #expect(try !PendingRestore.applyIfStaged(dataDirectory: data))
        #expect(read(data.appendingPathComponent("data.db")) == "old")
    }
}

@Suite("Backup names")
struct BackupNameTests {
    @Test func pattern() {
        #expect(BackupService.isValidName("a_b-1.zip"))
        for bad in ["A.zip", "a b.zip", ".zip", "a.ZIP", "a.zip.txt", "../a.zip", "a/b.zip"] {
            #expect(!BackupService.isValidName(bad), "\(bad)")
        }
    }

    @Test func defaultNameFollowsPocketBase() {
        let service = BackupService(dataDirectory: URL(fileURLWithPath: "/nonexistent"), snapshot: { _, _ in }, appName: { "My backupApp-2" })
        let name = service.defaultName(now: Date(timeIntervalSince1970: 1_764_700_000))
        #expect(name == "pb_backup_my_backup_app_2_20251202182640.zip")
    }
}
