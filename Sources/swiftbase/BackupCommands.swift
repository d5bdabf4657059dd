import ArgumentParser
import Foundation
import Swiftbase
import SwiftbaseServices

/// `swiftbase backup [NAME]` — a backup zip in `DIR/backups/`, made with SQLite's online backup, so a
/// running server keeps serving meanwhile.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Backs up the data directory into DIR/backups/ (safe while the server runs).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Backup file name, ^[a-z0-9_-]+\\.zip$ (default pb_backup_<app>_<time>.zip).")
    var name: String?

    func run() async throws {
        let bar = ProgressBar()
        let started = ContinuousClock.now
        try await SuperuserCommand.perform(global) { app in
            let key = try await app.backups.create(name: name) { stage, fraction in bar.show(stage, fraction) }
            bar.finish()
            let path = app.backups.directory.appendingPathComponent(key).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber
            print("Backup \(key) (\(size?.intValue ?? 0) bytes) written in \(ContinuousClock.now - started).")
        }
    }
}

/// `swiftbase restore BACKUP` — replaces the data directory with a backup (a key in `DIR/backups/` or a zip
/// path). Stop the server first; a running one restores through `POST /api/backups/{key}/restore`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Replaces the data directory with a backup (stop the server first).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A backup in DIR/backups/ or the path of a backup zip.")
    var backup: String

    func run() async throws {
        let directory = URL(fileURLWithPath: global.dir, isDirectory: true)
        var zip = directory.appendingPathComponent("backups").appendingPathComponent(backup)
        if !FileManager.default.fileExists(atPath: zip.path) { zip = URL(fileURLWithPath: backup) }
        guard FileManager.default.fileExists(atPath: zip.path) else {
            throw ValidationError("No backup \(backup) in \(directory.path)/backups, nor such a file.")
        }
        // Held until the restore is in place: a server (or any process) with the directory open refuses it.
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock.exclusive(directory)
        } catch is DataDirectoryLock.Busy {
            throw ValidationError(
                "Not restored: a server or another swiftbase process has \(directory.path) open. Stop it first, "
                    + "or restore through the running server (POST /api/backups/{key}/restore).")
        }
        defer { withExtendedLifetime(lock) {} }
        let bar = ProgressBar()
        do {
            try PendingRestore.stage(zip, dataDirectory: directory) { bar.show("extract", $0) }
            try PendingRestore.applyIfStaged(dataDirectory: directory)
        } catch {
            bar.finish()
            throw ValidationError("Not restored, the data is unchanged: \(error)")
        }
        bar.finish()
        print("Restored \(directory.path) from \(zip.lastPathComponent); the previous data is in .sb_restore_old/.")
    }
}

/// A one-line progress bar on standard error: `[##########----------]  50% database`.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ""

    func show(_ stage: String, _ fraction: Double) {
        let clamped = max(0, min(1, fraction))
        let filled = Int(clamped * 30)
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] "
            + String(format: "%3d%% ", Int(clamped * 100)) + stage
        lock.withLock {
            guard line != last else { return }
            last = line
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        lock.withLock { if !last.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) } }
    }
}
