import Foundation
internal import GRDB
public import SwiftbaseCore

/// A PocketBase 0.23+ `data.db`, read for `swiftbase import pocketbase`: its collections as PocketBase exports
/// them, its `_params` values and its tables' rows.
///
/// The source file itself is never opened. SQLite opening a WAL database — even with its read-only flag —
/// creates `-shm` and `-wal` files beside it and cannot remove them again, so the source directory would
/// change; instead the file (with its `-wal`, should PocketBase have left one) is copied into a private
/// temporary folder and read there, which also applies a WAL PocketBase did not checkpoint. The copy is removed
/// when this object goes away.
///
/// It lives in the SQLite adapter because a PocketBase data directory is a SQLite file and the queries are
/// SQLite's (`rowid` paging); what the rows mean is decided by the importer.
public final class PocketBaseDataFile: Sendable {
    /// Why a file cannot be read as a PocketBase 0.23+ data file.
    public struct Unreadable: Error, CustomStringConvertible {
        public let description: String
    }

    private let queue: DatabaseQueue
    /// The source file (for messages).
    public let path: String
    private let copyFolder: URL

    /// Copies `path` aside and opens the copy. Fails with `Unreadable` when it is not a SQLite file or, for a
    /// `data.db` (`expectingCollections`), has no `_collections` table of PocketBase 0.23's shape (a `fields`
    /// column: older versions kept `schema`). `auxiliary.db`, PocketBase's logs, has none.
    public init(path: String, expectingCollections: Bool = true) throws {
        self.path = path
        copyFolder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sb-import-" + UUID().uuidString, isDirectory: true)
        let copy = copyFolder.appendingPathComponent("data.db").path
        do {
            try FileManager.default.createDirectory(at: copyFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            if FileManager.default.fileExists(atPath: path + "-wal") {
                try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
            }
        } catch {
            try? FileManager.default.removeItem(at: copyFolder)
            throw Unreadable(description: "\(path) cannot be copied aside to be read: \(error.localizedDescription)")
        }
        var config = GRDB.Configuration()
        config.busyMode = .timeout(5)
        do {
            queue = try DatabaseQueue(path: copy, configuration: config)
            guard expectingCollections else {
                _ = try queue.read { db in try DirectStatement.rows("SELECT COUNT(*) FROM sqlite_master", on: db) }
                return
            }
            let columns = try queue.read { db in
                try DirectStatement.rows(#"SELECT "name" FROM pragma_table_info('_collections')"#, on: db)
                    .compactMap { $0.values.first?.textValue }
            }
            guard !columns.isEmpty else {
                throw Unreadable(description: "\(path) has no _collections table: it is not a PocketBase data.db")
            }
            guard columns.contains("fields"), columns.contains("options") else {
                throw Unreadable(
                    description: "\(path) was written by a PocketBase older than 0.23 (its _collections table has no "
                        + "\"fields\" column); open it once with PocketBase 0.23 or later to upgrade it, then import")
            }
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(at: copyFolder)
            throw Unreadable(description: "\(path) cannot be read as SQLite: \(error.message ?? "\(error.resultCode)")")
        } catch {
            try? FileManager.default.removeItem(at: copyFolder)
            throw error
        }
    }

    deinit {
        try? queue.close()
        try? FileManager.default.removeItem(at: copyFolder)
    }

    /// Every collection as PocketBase's API answers it: the table columns, with `options` spread over the top
    /// level (the auth options, a view's `viewQuery`), `fields` and `indexes` parsed. In creation order.
    public func collections() throws -> [JSONValue] {
        let rows = try read(#"SELECT * FROM "_collections" ORDER BY "created", "rowid""#)
        return try rows.map { row in
            var object: [String: JSONValue] = [:]
            for (column, value) in zip(row.columns, row.values) {
                switch column {
                case "fields", "indexes", "options":
                    guard let text = Self.text(value), let json = try? JSONValue.parse(text) else {
                        let name = row["name"]?.textValue ?? "?"
                        throw Unreadable(description: "collection \(name): its \(column) is not JSON")
                    }
                    if column == "options" {
                        for (key, option) in json.objectValue ?? [:] { object[key] = option }
                    } else {
                        object[column] = json
                    }
                case "system": object[column] = .bool(value.boolValue)
                default: object[column] = value == .null ? .null : .string(value.textValue ?? "")
                }
            }
            return .object(object)
        }
    }

    /// The `_params` value stored under `id` (PocketBase's settings are `settings`), as text; nil when absent.
    public func param(_ id: String) throws -> String? {
        try read(#"SELECT "value" FROM "_params" WHERE "id" = ?"#, [.text(id)]).first?.values.first.flatMap(Self.text)
    }

    /// Whether the file has a table named `name`.
    public func hasTable(_ name: String) throws -> Bool {
        try !read(#"SELECT 1 FROM "sqlite_master" WHERE "type" = 'table' AND "name" = ?"#, [.text(name)]).isEmpty
    }

    /// The number of rows in `table`.
    public func count(_ table: String) throws -> Int {
        Int(try read("SELECT COUNT(*) FROM \(quoteIdentifier(table))").first?.values.first?.int64Value ?? 0)
    }

    /// Up to `limit` rows of `table` after the row `after` (0 = from the start), in storage order, with the
    /// position to continue from. Paging by `rowid` keeps each page one short read however large the table.
    public func rows(of table: String, after: Int64, limit: Int) throws -> (rows: [StoreRow], next: Int64) {
        let page = try read(
            "SELECT \"rowid\" AS \"_sb_rowid\", * FROM \(quoteIdentifier(table)) WHERE \"rowid\" > ? "
                + "ORDER BY \"rowid\" LIMIT ?",
            [.integer(after), .integer(Int64(limit))])
        let next = page.last?.values.first?.int64Value ?? after
        let rows = page.map { StoreRow(columns: Array($0.columns.dropFirst()), values: Array($0.values.dropFirst())) }
        return (rows, next)
    }

    private func read(_ sql: String, _ arguments: [SQLValue] = []) throws -> [StoreRow] {
        do {
            return try queue.read { db in try DirectStatement.rows(sql, arguments: arguments, on: db) }
        } catch let error as DatabaseError {
            throw Unreadable(description: "reading \(path) failed: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// PocketBase writes JSON columns from Go byte slices, which SQLite may keep as blobs.
    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: nil
        default: value.textValue
        }
    }
}
