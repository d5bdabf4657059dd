public import Foundation

/// A restore, staged and then applied at the next start, before the database is opened: the backup is
/// extracted into `DIR/.sb_restore/next/`, a marker lists its top-level entries, and the process starts
/// again. Applying it puts each extracted entry in place (what it replaces moves aside to
/// `DIR/.sb_restore_old/<time>/`), then moves aside what the backup does not have (an old WAL among them);
/// `backups/` stays. Every step can run again, and the marker goes last, so a crash half-way is finished by
/// the next start: the data is never left half old, half restored.
public enum PendingRestore {
    static func staging(_ directory: URL) -> URL { directory.appendingPathComponent(".sb_restore/next") }
    static func marker(_ directory: URL) -> URL { directory.appendingPathComponent(".sb_restore/ready") }

    /// Extracts `zip` for the next start (throws when it is not a backup, leaving the data as it was).
    public static func stage(_ zip: URL, dataDirectory: URL, progress: (Double) -> Void = { _ in }) throws {
        let fileManager = FileManager.default
        let staging = staging(dataDirectory)
        try? fileManager.removeItem(at: marker(dataDirectory))
        try? fileManager.removeItem(at: staging)
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            try BackupArchive.extract(zip, to: staging, progress: progress)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
        let entries = try fileManager.contentsOfDirectory(atPath: staging.path).sorted()
        try Data(entries.joined(separator: "\n").utf8).write(to: marker(dataDirectory), options: .atomic)
    }

    /// Whether a restore waits for the next start.
    public static func isStaged(dataDirectory: URL) -> Bool {
        FileManager.default.fileExists(atPath: marker(dataDirectory).path)
    }

    /// Applies a staged restore, if any. Returns whether one was applied. The caller holds the directory's
    /// `DataDirectoryLock` exclusively.
    @discardableResult
    public static func applyIfStaged(dataDirectory: URL) throws -> Bool {
        let fileManager = FileManager.default
        guard let list = try? String(contentsOf: marker(dataDirectory), encoding: .utf8) else { return false }
        let entries = Set(list.split(separator: "\n").map(String.init))
        let staging = staging(dataDirectory)
        let aside = dataDirectory.appendingPathComponent(".sb_restore_old/" + String(Int(Date().timeIntervalSince1970)))
        try fileManager.createDirectory(at: aside, withIntermediateDirectories: true)
        func moveAside(_ entry: String) throws {
            let current = dataDirectory.appendingPathComponent(entry)
            guard fileManager.fileExists(atPath: current.path) else { return }
            try fileManager.moveItem(at: current, to: aside.appendingPathComponent(entry))
        }
        for entry in entries.sorted() where entry != DataDirectoryLock.fileName {
            let staged = staging.appendingPathComponent(entry)
            guard fileManager.fileExists(atPath: staged.path) else { continue }  // placed by an earlier attempt
            try moveAside(entry)
            try fileManager.moveItem(at: staged, to: dataDirectory.appendingPathComponent(entry))
        }
        for entry in try fileManager.contentsOfDirectory(atPath: dataDirectory.path)
        where !entries.contains(entry)
            && !["backups", ".sb_restore", ".sb_restore_old", DataDirectoryLock.fileName].contains(entry)
        {
            try moveAside(entry)
        }
        try fileManager.removeItem(at: marker(dataDirectory))
        try? fileManager.removeItem(at: staging)
        return true
    }
}
