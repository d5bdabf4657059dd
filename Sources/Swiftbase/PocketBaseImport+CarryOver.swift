import Foundation
import Synchronization
import SwiftbaseCore
import SwiftbaseSQLite

/// Carrying a checked plan over: collections, settings, then records and logs beside the file copy.
extension PocketBaseImport {
    func carryOver(_ plan: Plan, progress: @escaping @Sendable (Progress) -> Void) async throws -> Summary {
        let app = try await SwiftbaseApp.open(SwiftbaseConfiguration(dataDirectory: target.path))
        let services = app.services
        let adopted: [CollectionModel]
        do {
            adopted = try await services.collections.adopt(plan.collections)
        } catch let failure as CollectionService.AdoptionFailure {
            throw Refusal(failure.description)
        }
        if let settings = plan.settings {
            do {
                try await services.settings.update(settings)
            } catch {
                throw Refusal("the settings were refused: \(Self.describe(error))")
            }
        }
        let tracker = ProgressTracker(
            Progress(
                totalRecords: plan.tables.reduce(0) { $0 + $1.rows },
                totalBytes: plan.files.reduce(0) { $0 + $1.size }),
            report: progress)
        // Files and records are independent: the copy runs beside the inserts.
        async let copied = copyFiles(plan.files, tracker: tracker)
        let records = try await importRecords(plan, into: services.records, tracker: tracker)
        if let logs = plan.logs { try await importLogs(logs.file, into: services.logs.store) }
        let files = try await copied
        var summary = Summary(collections: adopted.count, records: records, notes: plan.notes)
        (summary.files, summary.bytes) = files
        return summary
    }

    func importRecords(_ plan: Plan, into records: RecordService, tracker: ProgressTracker) async throws -> Int {
        var total = 0
        for table in plan.tables {
            var after: Int64 = 0
            while true {
                let (rows, next) = try plan.data.rows(of: table.name, after: after, limit: Self.batchSize)
                if rows.isEmpty { break }
                do {
                    try await records.importStored(rows, into: table.id)
                } catch let error as StoreConstraintError {
                    throw Refusal(
                        "records of \(table.name) break a unique index on \(error.columns.joined(separator: ", ")) in "
                            + "Swiftbase (two values equal up to case?)")
                }
                total += rows.count
                tracker.add(records: rows.count)
                after = next
            }
        }
        return total
    }

    /// PocketBase's `_logs` rows into Swiftbase's log store (the same table shape), a batch per transaction.
    func importLogs(_ file: PocketBaseDataFile, into store: any LogStore) async throws {
        var after: Int64 = 0
        while true {
            let (rows, next) = try file.rows(of: LogEntry.tableName, after: after, limit: Self.batchSize)
            if rows.isEmpty { break }
            try await store.insert(
                rows.map { row in
                    LogEntry(
                        id: row["id"]?.textValue ?? "", created: row["created"]?.textValue ?? "",
                        level: Int(row["level"]?.int64Value ?? 0), message: row["message"]?.textValue ?? "",
                        data: Self.json(row["data"]))
                })
            after = next
        }
    }

    /// A JSON column PocketBase may have stored as text or as a blob; `{}` when unreadable.
    static func json(_ value: SQLValue?) -> JSONValue {
        let text: String? =
            switch value {
            case .blob(let bytes)?: String(decoding: bytes, as: UTF8.self)
            case .text(let text)?: text
            default: nil
            }
        return text.flatMap { try? JSONValue.parse($0) } ?? [:]
    }

    func copyFiles(_ files: [StorageFile], tracker: ProgressTracker) async throws -> (Int, Int64) {
        let storage = target.appendingPathComponent("storage", isDirectory: true)
        return try await BlockingWork.run {
            var bytes: Int64 = 0
            for file in files {
                let destination = storage.appendingPathComponent(file.relativePath)
                try FileManager.default.createDirectory(
                    at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: file.url, to: destination)
                bytes += file.size
                tracker.add(bytes: file.size)
            }
            return (files.count, bytes)
        }
    }
}

/// Progress counted from two tasks, reported after each step.
final class ProgressTracker: Sendable {
    private let state: Mutex<PocketBaseImport.Progress>
    private let report: @Sendable (PocketBaseImport.Progress) -> Void

    init(_ initial: PocketBaseImport.Progress, report: @escaping @Sendable (PocketBaseImport.Progress) -> Void) {
        state = Mutex(initial)
        self.report = report
    }

    func add(records: Int = 0, bytes: Int64 = 0) {
        let now = state.withLock { progress in
            progress.records += records
            progress.bytes += bytes
            return progress
        }
        report(now)
    }
}
