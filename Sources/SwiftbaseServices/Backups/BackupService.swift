public import Foundation
public import SwiftbaseCore
import Synchronization

/// Backups of the data folder in `DIR/backups/`, or in the bucket of `backups.s3` while it is enabled (keys at
/// the bucket's root, as PocketBase puts them), with PocketBase's API semantics: create (one at a time, while
/// the server keeps serving), list, upload, delete, and restore — staged, then applied by a restart
/// (`PendingRestore`). The settings are read on every call, so enabling S3 takes effect at once.
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
    /// `backups.s3` as saved now.
    let s3: @Sendable () -> S3Settings
    /// Set while a backup is written or a restore is staged: the backup's key, or "" for a restore.
    private let busy = Mutex<String?>(nil)

    public init(
        dataDirectory: URL, snapshot: @escaping Snapshot, appName: @escaping @Sendable () -> String,
        s3: @escaping @Sendable () -> S3Settings = { S3Settings(json: nil) }
    ) {
        self.dataDirectory = dataDirectory
        self.snapshot = snapshot
        self.appName = appName
        self.s3 = s3
    }

    /// The bucket backups go to now, or nil for `DIR/backups/`.
    var remote: S3FileStore? {
        let settings = s3()
        return settings.enabled ? S3FileStore(settings: settings) : nil
    }

    /// Where a backup is read from for a download.
    public enum Download: Sendable {
        case local(URL, size: Int, modified: Date)
        case remote(S3FileStore, key: String, size: Int, modified: Date)
    }

    public var directory: URL { dataDirectory.appendingPathComponent("backups", isDirectory: true) }

    static let invalid = "An error occurred while validating the submitted data."
    static let tryAgain = SwiftbaseError.badRequest("Try again later - another backup/restore process has already been started.")

    // MARK: - List, read

    /// Every backup, sorted by key (byte order).
    public func list() async throws -> [Item] {
        if let remote {
            do {
                return try await remote.list(prefix: "").map { Item(key: $0.key, size: $0.size, modified: $0.modified) }
                    .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            } catch {
                throw SwiftbaseError.badRequestSentence("Failed to retrieve backup items. Raw error: \n\(error)")
            }
        }
        let directory = directory
        return await BlockingWork.run { Self.localList(in: directory) }
    }

    static func localList(in directory: URL) -> [Item] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .compactMap { key in
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(key).path),
                    (attributes[.type] as? FileAttributeType) == .typeRegular
                else { return nil }
                return Item(
                    key: key, size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                    modified: attributes[.modificationDate] as? Date ?? Date())
            }
    }

    /// Where to read an existing backup from, or nil.
    public func download(_ key: String) async -> Download? {
        guard Self.isValidKey(key) else { return nil }
        if let remote {
            guard let attributes = await remote.attributes(of: key) else { return nil }
            return .remote(remote, key: key, size: attributes.size, modified: attributes.modified)
        }
        guard let file = file(key), let attributes = LocalFileStore.attributes(at: file) else { return nil }
        return .local(file, size: attributes.size, modified: attributes.modified)
    }

    /// Whether a backup of that key exists where backups go now.
    func exists(_ key: String) async -> Bool {
        if let remote {
            guard Self.isValidKey(key) else { return false }
            return await remote.attributes(of: key) != nil
        }
        return file(key) != nil
    }

    static func isValidKey(_ key: String) -> Bool {
        LocalFileStore.isSafeComponent(Substring(key)) && !key.hasPrefix(".")
    }

    /// The file of an existing backup in `DIR/backups/`, or nil.
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
        let key: String
        if let name, !name.isEmpty { key = try await validateNew(name) } else { key = defaultName() }
        try await write(key, progress: progress)
        return key
    }

    /// Writes the backup `key` (one backup or restore at a time).
    func write(_ key: String, progress: @escaping @Sendable (String, Double) -> Void) async throws {
        try claim(key)
        defer { release() }
        let remote = self.remote
        // A local backup is written under a hidden name and renamed when whole: the list never shows (and a
        // download never serves) a half-written zip.
        let destination =
            remote == nil
            ? directory.appendingPathComponent(".writing-" + key)
            : dataDirectory.appendingPathComponent(".sb_restore/upload-" + UUID().uuidString + ".zip")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let (dataDirectory, snapshot, final) = (self.dataDirectory, self.snapshot, url(key))
        try await BlockingWork.run {
            do {
                try BackupArchive.create(
                    dataDirectory: dataDirectory, destination: destination, snapshot: snapshot, progress: progress)
                if remote == nil { try FileManager.default.moveItem(at: destination, to: final) }
            } catch {
                try? FileManager.default.removeItem(at: destination)
                throw SwiftbaseError(.badRequest, "Failed to create backup.", debugDetail: "\(error)")
            }
        }
        guard let remote else { return }
        defer { try? FileManager.default.removeItem(at: destination) }
        do {
            try await remote.upload(fileAt: destination, to: key, contentType: "application/zip")
        } catch {
            throw SwiftbaseError(.badRequest, "Failed to create backup.", debugDetail: "\(error)")
        }
    }

    func validateNew(_ name: String) async throws -> String {
        let item: ErrorItem?
        if name.count > 150 {
            item = ErrorItem(
                "validation_length_out_of_range", "The length must be between 1 and 150.", params: ["max": 150, "min": 1])
        } else if !Self.isValidName(name) {
            item = .matchInvalid
        } else if await exists(name) {
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
    public func upload(filename: String?, data: [UInt8]?) async throws {
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
        if await exists(filename) {
            throw SwiftbaseError.validation(
                Self.invalid,
                .items(["file": ErrorItem("validation_backup_name_exists", "Backup file with the specified name already exists.")]))
        }
        if let remote {
            try await remote.write(data, to: filename)
            return
        }
        let (directory, target) = (directory, url(filename))
        try await BlockingWork.run {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(data).write(to: target, options: .atomic)
        }
    }

    public func delete(_ key: String) async throws {
        if busy.withLock({ $0 == key }) {
            throw SwiftbaseError.badRequest("The backup is currently being used and cannot be deleted.")
        }
        if let remote {
            // As PocketBase: S3 deletes a missing key without complaint. A key is one name at the root: nothing
            // else in the bucket can be named.
            guard Self.isValidKey(key) else { throw Self.alreadyDeleted(key) }
            do {
                try await remote.client.delete(key)
            } catch {
                throw SwiftbaseError.badRequestSentence("Invalid or already deleted backup file. Raw error: \n\(error)")
            }
            return
        }
        guard let target = file(key) else {
            throw Self.alreadyDeleted(key)
        }
        try FileManager.default.removeItem(at: target)
    }

    static func alreadyDeleted(_ key: String) -> SwiftbaseError {
        SwiftbaseError.badRequest("Invalid or already deleted backup file. Raw error: \nno such backup: \(key).")
    }

    // MARK: - Restore

    /// A backup claimed for a restore: a file in `DIR/backups/`, or a key in the bucket (downloaded when staged).
    public enum RestoreSource: Sendable {
        case local(URL)
        case remote(S3FileStore, key: String)
    }

    /// Checks the backup exists and claims the lock; `stageRestore(_:)` then stages it.
    /// The lock is asked first: while another backup or restore runs, any restore is told to try again.
    public func beginRestore(_ key: String) async throws -> RestoreSource {
        try claim("")
        if let remote, await exists(key) { return .remote(remote, key: key) }
        guard remote == nil, let zip = file(key) else {
            release()
            throw SwiftbaseError.badRequest("Missing or invalid backup file.")
        }
        return .local(zip)
    }

    /// Extracts the claimed backup for the next start (from the bucket, it is downloaded first); on failure
    /// nothing changes and the lock is released.
    public func stageRestore(_ source: RestoreSource) async throws {
        defer { release() }
        let dataDirectory = dataDirectory
        switch source {
        case .local(let zip):
            try await BlockingWork.run { try PendingRestore.stage(zip, dataDirectory: dataDirectory) }
        case .remote(let store, let key):
            let zip = dataDirectory.appendingPathComponent(".sb_restore/download-" + UUID().uuidString + ".zip")
            try FileManager.default.createDirectory(at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: zip) }
            guard try await store.download(key, to: zip) else { throw SwiftbaseError.badRequest("Missing or invalid backup file.") }
            try await BlockingWork.run { try PendingRestore.stage(zip, dataDirectory: dataDirectory) }
        }
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
