public import Foundation
import SwiftbaseCore
import SwiftbaseSQLite

/// `swiftbase import pocketbase PB_DATA_DIR --dir DIR`: a new Swiftbase data directory made from a
/// PocketBase 0.23+ one — collections (fields, indexes, rules, token secrets), every record with its id,
/// timestamps and password hash, the files, the settings, OAuth2 links (`_externalAuths`) and login origins
/// (`_authOrigins`). See Docs/Import.md.
///
/// The source is only read: its `data.db` is opened read-only and its files are copied. Everything that can
/// refuse is checked before the target is made (`Refusal`); a failure after that removes what was made.
/// The request logs of `auxiliary.db` come over too. Not carried over: `_mfas` and `_otps` (sessions that
/// live minutes).
public struct PocketBaseImport: Sendable {
    /// What the import cannot carry over, in one line; nothing was written.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Where the import is: records and file bytes done out of their totals.
    public struct Progress: Sendable {
        public var records = 0
        public var totalRecords = 0
        public var bytes: Int64 = 0
        public var totalBytes: Int64 = 0
    }

    /// What was carried over.
    public struct Summary: Sendable {
        public var collections = 0
        public var records = 0
        public var files = 0
        public var bytes: Int64 = 0
        /// Collections whose records were deliberately left behind, with the reason.
        public var notes: [String] = []
    }

    /// Collections whose records are not imported: one-time passwords and MFA sessions expire in minutes.
    static let skippedCollections: Set<String> = ["_mfas", "_otps"]
    /// Rows per transaction.
    static let batchSize = 2_000

    public let source: URL
    public let target: URL
    /// PocketBase's settings key (the value of its `--encryptionEnv` variable), when its settings are encrypted.
    public let encryptionKey: String?

    public init(source: URL, target: URL, encryptionKey: String? = nil) {
        self.source = source
        self.target = target
        self.encryptionKey = encryptionKey
    }

    /// Runs the import; `progress` hears about every batch of records and every copied file.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Summary {
        let plan = try prepare()
        let created = !FileManager.default.fileExists(atPath: target.path)
        do {
            return try await carryOver(plan, progress: progress)
        } catch {
            // Nothing half-made stays behind: the target was missing or empty before.
            if created {
                try? FileManager.default.removeItem(at: target)
            } else if let items = try? FileManager.default.contentsOfDirectory(atPath: target.path) {
                for item in items { try? FileManager.default.removeItem(at: target.appendingPathComponent(item)) }
            }
            if let refusal = error as? Refusal { throw refusal }
            throw Refusal("import failed, nothing was kept in \(target.path): \(Self.describe(error))")
        }
    }

    // MARK: - Checks

    /// What the import will do, decided before anything is written.
    struct Plan: Sendable {
        let data: PocketBaseDataFile
        let collections: [JSONValue]
        let settings: JSONValue?
        let tables: [(id: String, name: String, rows: Int)]
        /// PocketBase's `auxiliary.db`, when it has a `_logs` table, with its row count.
        let logs: (file: PocketBaseDataFile, rows: Int)?
        let files: [StorageFile]
        let notes: [String]
    }

    func prepare() throws -> Plan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Refusal("\(source.path) is not a directory")
        }
        let dataPath = source.appendingPathComponent("data.db").path
        guard FileManager.default.fileExists(atPath: dataPath) else {
            throw Refusal("\(source.path) has no data.db: it is not a PocketBase data directory (pb_data)")
        }
        // SQLite removes a WAL database's shared-memory file when its last connection closes: one there means
        // PocketBase is running (a copy could be torn) or did not close cleanly.
        if FileManager.default.fileExists(atPath: dataPath + "-shm") {
            throw Refusal(
                "PocketBase seems to be running on \(source.path) (data.db-shm exists): stop it first; if it is "
                    + "stopped, it did not close cleanly: start and stop it once, then import")
        }
        let (from, to) = (
            source.standardizedFileURL.resolvingSymlinksInPath().path,
            target.standardizedFileURL.resolvingSymlinksInPath().path
        )
        if to == from || to.hasPrefix(from.hasSuffix("/") ? from : from + "/") {
            throw Refusal("the target directory is inside the PocketBase directory, which is never written; choose another --dir")
        }
        if let items = try? FileManager.default.contentsOfDirectory(atPath: target.path), !items.isEmpty {
            throw Refusal("\(target.path) is not empty; import into a new or empty directory (--dir)")
        }
        let data: PocketBaseDataFile
        do {
            data = try PocketBaseDataFile(path: dataPath)
        } catch let error as PocketBaseDataFile.Unreadable {
            throw Refusal(error.description)
        }
        let collections = try data.collections()
        try Self.checkFieldTypes(collections)
        let settings = try readSettings(from: data)
        var tables: [(String, String, Int)] = []
        var notes: [String] = []
        for collection in collections {
            let (id, name) = (collection["id"]?.stringValue ?? "", collection["name"]?.stringValue ?? "")
            guard collection["type"]?.stringValue != "view" else { continue }
            if Self.skippedCollections.contains(name) {
                let count = try data.count(name)
                if count > 0 { notes.append("\(name): \(count) records not imported (they expire within minutes)") }
                continue
            }
            tables.append((id, name, try data.count(name)))
        }
        if settings?["s3"]?["enabled"]?.boolValue == true {
            notes.append("files: PocketBase kept them on S3 (settings s3.enabled); they stay there, storage/ was copied as is")
        }
        return Plan(
            data: data, collections: collections, settings: settings, tables: tables, logs: try openLogs(notes: &notes),
            files: try StorageFile.list(in: source.appendingPathComponent("storage")), notes: notes)
    }

    /// PocketBase's request logs, if its `auxiliary.db` has them; one it cannot read is a note, not a refusal
    /// (logs are history, not data).
    private func openLogs(notes: inout [String]) throws -> (file: PocketBaseDataFile, rows: Int)? {
        let path = source.appendingPathComponent("auxiliary.db").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let file = try PocketBaseDataFile(path: path, expectingCollections: false)
            guard try file.hasTable(LogEntry.tableName) else { return nil }
            return (file, try file.count(LogEntry.tableName))
        } catch {
            notes.append("request logs: auxiliary.db could not be read, no logs imported (\(error))")
            return nil
        }
    }

    /// Every field's type must be one Swiftbase has (a PocketBase plug-in may register its own).
    static func checkFieldTypes(_ collections: [JSONValue]) throws {
        let known = Set(FieldOptions.allTypeNames)
        for collection in collections {
            for field in collection["fields"]?.arrayValue ?? [] {
                let type = field["type"]?.stringValue ?? ""
                guard known.contains(type) else {
                    let where_ = (collection["name"]?.stringValue ?? "?") + "." + (field["name"]?.stringValue ?? "?")
                    throw Refusal("field \(where_) has type \"\(type)\", which Swiftbase does not have")
                }
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? SwiftbaseError else { return "\(error)" }
        guard case .fields(let fields) = error.data, !fields.isEmpty else { return error.message }
        return error.message + " " + error.data.json.jsonString
    }
}
