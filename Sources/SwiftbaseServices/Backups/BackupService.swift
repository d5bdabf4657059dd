public import Foundation
import SwiftbaseCore
import Synchronization

/// Backups of the data folder in `DIR/backups/`, with PocketBase's API semantics: create (one at a time,
/// while the server keeps serving), list, upload, delete, and restore — staged, then applied by a restart
/// (`PendingRestore`).
public final class BackupService: Sendable {
    public struct Item: Sendable, Equatable {
        public let key: String
        public let size: Int
        public let modified: Date
    }

    public let dataDirectory: URL
    /// Copies the live database to a path, reporting the fraction done.
    public typealias Snapshot = @Sendable (String, @escaping @Sendable (Double) -> Void) throws -> Void
    let snapshot: Snapshot
    let appName: @Sendable () -> String
    /// Set while a backup is written or a restore is staged: the backup's key, or "" for a restore.
    private let busy = Mutex<String?>(nil)

    public init(dataDirectory: URL, snapshot: @escaping Snapshot, appName: @escaping @Sendable () -> String) {
        self.dataDirectory = dataDirectory
        self.snapshot = snapshot
        self.appName = appName
    }

    public var directory: URL { dataDirectory.appendingPathComponent("backups", isDirectory: true) }

    static let invalid = "An error occurred while validating the submitted data."
    static let tryAgain = SwiftbaseError.badRequest("Try again later - another backup/restore process has already been started.")

    // MARK: - List, read

    /// Every backup, sorted by key (byte order).
    public func list() throws -> [Item] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .compactMap { key in
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: url(key).path),
                    (attributes[.type] as? FileAttributeType) == .typeRegular
                else { return nil }
                return Item(
                    key: key, size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                    modified: attributes[.modificationDate] as? Date ?? Date())
            }
    }

    /// The file of an existing backup, or nil.
    public func file(_ key: String) -> URL? {
        guard LocalFileStore.isSafeComponent(Substring(key)), !key.hasPrefix(".") else { return nil }
        let target = url(key)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        return target
    }

    private func url(_ key: String) -> URL { directory.appendingPathComponent(key) }

    // MARK: - Create

    /// Writes a new backup (the default name is `pb_backup_<app name>_<UTC time>.zip`, as PocketBase's).
    /// Returns the new backup's key.
    @discardableResult
    public func create(name: String?, progress: @escaping @Sendable (String, Double) -> Void = { _, _ in }) async throws
        -> String
    {
        let key = try name.flatMap { $0.isEmpty ? nil : $0 }.map(validateNew) ?? defaultName()
        try await write(key, progress: progress)
        return key
    }

    /// Writes the backup `key` (one backup or restore at a time).
    func write(_ key: String, progress: @escaping @Sendable (String, Double) -> Void) async throws {
        try claim(key)
        defer { release() }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (dataDirectory, destination, snapshot) = (self.dataDirectory, url(key), self.snapshot)
        try await BlockingWork.run {
            do {
                try BackupArchive.create(
                    dataDirectory: dataDirectory, destination: destination, snapshot: snapshot, progress: progress)
            } catch {
                throw SwiftbaseError(.badRequest, "Failed to create backup.", debugDetail: "\(error)")
            }
        }
    }

    func validateNew(_ name: String) throws -> String {
        let item: ErrorItem?
        if name.count > 150 {
            item = ErrorItem(
                "validation_length_out_of_range", "The length must be between 1 and 150.", params: ["max": 150, "min": 1])
        } else if !Self.isValidName(name) {
            item = .matchInvalid
        } else if file(name) != nil {
            item = ErrorItem("validation_backup_name_exists", "The backup file name is invalid or already exists.")
        } else {
            item = nil
        }
        if let item { throw SwiftbaseError.validation(Self.invalid, .items(["name": item])) }
        return name
    }

    /// `^[a-z0-9_-]+\.zip$`
    static func isValidName(_ name: String) -> Bool {
        guard name.hasSuffix(".zip") else { return false }
        let stem = name.dropLast(4)
        return !stem.isEmpty && stem.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    func defaultName(prefix: String = "pb_backup_", now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        let stamp = String(format: "%04d%02d%02d%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        return prefix + String(StoredFileName.snakeCase(Substring(appName())).prefix(50)) + "_" + stamp + ".zip"
    }

    // MARK: - Upload, delete

    /// Stores an uploaded zip under its file name.
    public func upload(filename: String?, data: [UInt8]?) throws {
        guard let filename, let data else {
            throw SwiftbaseError.validation(Self.invalid, .items(["file": .required]))
        }
        guard ContentSniffer.essence(ContentSniffer.mediaType(of: data)) == "application/zip" else {
            let stored = StoredFileName.make(for: filename, data: data)
            throw SwiftbaseError.validation(
                Self.invalid,
                .items([
                    "file": ErrorItem(
                        "validation_invalid_mime_type", "\"\(stored)\" mime type must be one of: application/zip.")
                ]))
        }
        guard LocalFileStore.isSafeComponent(Substring(filename)), !filename.hasPrefix(".") else {
            throw SwiftbaseError.validation(Self.invalid, .items(["file": .invalidValue]))
        }
        if file(filename) != nil {
            throw SwiftbaseError.validation(
                Self.invalid,
                .items(["file": ErrorItem("validation_backup_name_exists", "Backup file with the specified name already exists.")]))
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(data).write(to: url(filename), options: .atomic)
    }

    public func delete(_ key: String) throws {
        if busy.withLock({ $0 == key }) {
            throw SwiftbaseError.badRequest("The backup is currently being used and cannot be deleted.")
        }
        guard let target = file(key) else {
            throw SwiftbaseError.badRequest("Invalid or already deleted backup file. Raw error: \nno such backup: \(key).")
        }
        try FileManager.default.removeItem(at: target)
    }

    // MARK: - Restore

    /// Checks the backup exists and claims the lock; `restore(_:)` then stages it.
    /// The lock is asked first: while another backup or restore runs, any restore is told to try again.
    public func beginRestore(_ key: String) throws -> URL {
        try claim("")
        guard let zip = file(key) else {
            release()
            throw SwiftbaseError.badRequest("Missing or invalid backup file.")
        }
        return zip
    }

    /// Extracts the claimed backup for the next start; on failure nothing changes and the lock is released.
    public func stageRestore(_ zip: URL) throws {
        defer { release() }
        try PendingRestore.stage(zip, dataDirectory: dataDirectory)
    }

    private func claim(_ key: String) throws {
        try busy.withLock { current in
            guard current == nil else { throw Self.tryAgain }
            current = key
        }
    }

    private func release() {
        busy.withLock { $0 = nil }
    }
}
