public import Foundation
import ZIPFoundation

/// A backup's zip, in PocketBase's layout: `data.db` first (a consistent copy made by SQLite's online
/// backup while the server keeps serving), then the rest of the data folder — `storage/…` and the mail
/// outbox — without `backups/`, SQLite's `-wal`/`-shm` files, Swiftbase's own temporary folders and the
/// request logs' `auxiliary.db` (an open WAL database a file copy could catch half-written; logs are not data).
public enum BackupArchive {
    /// Folder entries never archived (and never replaced by a restore).
    static let excludedTopLevel: Set<String> = [
        "backups", "data.db", "auxiliary.db", ".sb_restore", ".sb_restore_old", DataDirectoryLock.fileName,
    ]

    /// Writes the zip to `destination` (via a temporary name, so a half-written backup is never listed).
    /// `snapshot` copies the live database to the path it is given; `progress` hears each step.
    public static func create(
        dataDirectory: URL, destination: URL, snapshot: (String, @escaping @Sendable (Double) -> Void) throws -> Void,
        progress: @escaping @Sendable (String, Double) -> Void = { _, _ in }
    ) throws {
        let fileManager = FileManager.default
        let work = dataDirectory.appendingPathComponent(".sb_restore/backup-" + UUID().uuidString)
        try fileManager.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: work) }
        progress("database", 0)
        let database = work.appendingPathComponent("data.db")
        try snapshot(database.path) { progress("database", $0) }
        progress("database", 1)

        let partial = destination.deletingLastPathComponent().appendingPathComponent(".partial-" + UUID().uuidString)
        defer { try? fileManager.removeItem(at: partial) }
        let archive = try Archive(url: partial, accessMode: .create)
        try archive.addEntry(with: "data.db", fileURL: database, compressionMethod: .deflate)
        let files = try filesToArchive(in: dataDirectory)
        for (index, relative) in files.enumerated() {
            try archive.addEntry(
                with: relative, fileURL: dataDirectory.appendingPathComponent(relative), compressionMethod: .deflate)
            progress("files", Double(index + 1) / Double(files.count))
        }
        if files.isEmpty { progress("files", 1) }
        try fileManager.moveItem(at: partial, to: destination)
    }

    /// Relative paths of the regular files to archive, sorted.
    static func filesToArchive(in directory: URL) throws -> [String] {
        let fileManager = FileManager.default
        var out: [String] = []
        for top in try fileManager.contentsOfDirectory(atPath: directory.path).sorted()
        where !excludedTopLevel.contains(top) && !top.hasSuffix("-wal") && !top.hasSuffix("-shm") {
            let url = directory.appendingPathComponent(top)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                out.append(top)
                continue
            }
            guard let walker = fileManager.enumerator(atPath: url.path) else { continue }
            while let relative = walker.nextObject() as? String {
                var inner: ObjCBool = false
                let full = url.appendingPathComponent(relative)
                if fileManager.fileExists(atPath: full.path, isDirectory: &inner), !inner.boolValue,
                    !relative.split(separator: "/").contains(where: { $0.hasPrefix(".tmp-") })
                {
                    out.append(top + "/" + relative)
                }
            }
        }
        return out.sorted()
    }

    /// Extracts every entry under `destination`, refusing entries whose path would leave it (`..`, absolute
    /// paths) and links. Throws unless the archive holds a `data.db`.
    public static func extract(_ zip: URL, to destination: URL, progress: (Double) -> Void = { _ in }) throws {
        let archive = try Archive(url: zip, accessMode: .read)
        var sawDatabase = false
        let total = max(1, archive.reduce(0) { count, _ in count + 1 })
        for (index, entry) in archive.enumerated() {
            defer { progress(Double(index + 1) / Double(total)) }
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: true)
            guard entry.type != .symlink, !entry.path.hasPrefix("/"), !parts.isEmpty,
                parts.allSatisfy({ $0 != ".." && $0 != "." && !$0.contains("\\") })
            else { throw BackupError.invalidArchive("unsafe entry \(entry.path)") }
            if entry.type == .directory { continue }
            if entry.path == "data.db" { sawDatabase = true }
            _ = try archive.extract(entry, to: destination.appendingPathComponent(parts.joined(separator: "/")))
        }
        guard sawDatabase else { throw BackupError.invalidArchive("no data.db") }
    }
}

public enum BackupError: Error, Equatable {
    case invalidArchive(String)
}
