public import Foundation
import Synchronization

/// Request logs, as PocketBase keeps them: entries recorded by the transport through ``record(_:)`` (stored by
/// the ``writer`` in batches, off the request path), read with PocketBase's filter and sort language over `id`,
/// `created`, `level`, `message`, `data` and `data.*` paths, counted per hour, and pruned after `logs.maxDays`.
///
/// Settings are read from a copy kept current by the settings service, so recording costs one lock.
public final class LogService: Sendable {
    public let store: any LogStore
    public let writer: LogBatchWriter
    private let current: Mutex<LogSettings>

    /// The logs table described as a collection, so filters and sorts go through the same resolver and
    /// compiler as records (`data` is a JSON field: `data.status`, `data.auth`).
    static let logsTable = CollectionModel(
        id: LogEntry.tableName, name: LogEntry.tableName, system: true,
        fields: [
            FieldModel(id: "id", name: "id", options: .text(TextFieldOptions())),
            FieldModel(id: "created", name: "created", options: .text(TextFieldOptions())),
            FieldModel(id: "level", name: "level", options: .number(NumberFieldOptions())),
            FieldModel(id: "message", name: "message", options: .text(TextFieldOptions())),
            FieldModel(id: "data", name: "data", options: .json(JSONFieldOptions())),
        ])

    public init(store: any LogStore, settings: SettingsService, writer: LogBatchWriter) {
        self.store = store
        self.writer = writer
        self.current = Mutex(settings.logSettings)
        settings.onChange { [weak self] json in
            let logs = LogSettings(json: json["logs"])
            self?.current.withLock { $0 = logs }
        }
    }

    /// The `logs` settings in force.
    public var settings: LogSettings { current.withLock { $0 } }

    /// Queues the request's entry, unless the settings keep it out: `settings` (the copy the transport read once
    /// the handler was done), else those in force. Returns at once unless the writer's buffer is full (see
    /// ``LogBatchWriter``).
    public func record(_ facts: RequestLogFacts, settings: LogSettings? = nil, now: Date = Date()) async {
        let settings = settings ?? self.settings
        guard facts.isKept(by: settings) else { return }
        await writer.append(.request(facts, answeredAt: now, settings: settings))
    }

    /// A page of entries; `filter` and `sort` in PocketBase's language (400 when they do not compile).
    /// Without a sort, entries come in the order they were stored.
    public func list(_ options: RecordListOptions) async throws -> LogPage {
        var resolver = resolver()
        var conditions: [SQLFragment] = []
        if let expression = try FilterParser.parse(options.filter) {
            conditions.append(try FilterCompiler.compile(expression, resolver: &resolver))
        }
        let orderBy = try SortCompiler.compile(options.sort, resolver: &resolver)
        let paging = Paging(page: options.page, perPage: options.perPage)
        let (items, total) = try await store.list(
            LogListQuery(
                conditions: conditions, orderBy: orderBy, limit: paging.perPage, offset: paging.offset,
                skipTotal: options.skipTotal))
        return LogPage(
            page: paging.page, perPage: paging.perPage, totalItems: total, totalPages: paging.totalPages(of: total),
            items: items)
    }

    public func entry(id: String) async throws -> LogEntry? {
        try await store.entry(id: id)
    }

    /// Entries per hour matching `filter`; an invalid filter is PocketBase's 400 "Invalid filter format.".
    public func hourlyStats(filter: String) async throws -> [LogHourCount] {
        let condition: SQLFragment?
        do {
            condition = try compile(filter: filter)
        } catch {
            throw SwiftbaseError(.badRequest, "Invalid filter format.", debugDetail: error.debugDetail)
        }
        return try await store.hourlyCounts(matching: condition)
    }

    private func compile(filter: String) throws(SwiftbaseError) -> SQLFragment? {
        guard let expression = try FilterParser.parse(filter) else { return nil }
        var resolver = resolver()
        return try FilterCompiler.compile(expression, resolver: &resolver)
    }

    /// PocketBase's `__pbLogsCleanup__`: deletes entries older than `logs.maxDays` days (all of them when it is
    /// 0); answers how many went.
    @discardableResult
    public func prune(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(settings.maxDays) * 86_400)
        return try await store.deleteEntries(createdAtOrBefore: DateTime.format(cutoff), belowLevel: nil)
    }

    /// `DELETE /api/logs`: every stored entry goes (entries still waiting in the batch writer are stored after).
    public func truncate() async throws {
        try await store.deleteAll()
    }

    /// What PocketBase does when the settings are saved: deletes the entries the new `logs` settings would not
    /// have kept — older than `maxDays` (all of them when it is 0) or below `minLevel`.
    @discardableResult
    public func pruneToSettings(now: Date = Date()) async throws -> Int {
        let settings = self.settings
        let cutoff = now.addingTimeInterval(-Double(settings.maxDays) * 86_400)
        return try await store.deleteEntries(createdAtOrBefore: DateTime.format(cutoff), belowLevel: settings.minLevel)
    }

    private func resolver() -> RecordFieldResolver {
        RecordFieldResolver(
            schema: SchemaSnapshot([Self.logsTable], dialect: store.dialect), collection: Self.logsTable, request: nil,
            allowHiddenFields: true, allowRequestAndCollectionReferences: false)
    }
}

/// A page of log entries (`totalItems` and `totalPages` are -1 when the total was skipped).
public struct LogPage: Sendable {
    public var page: Int
    public var perPage: Int
    public var totalItems: Int
    public var totalPages: Int
    public var items: [LogEntry]
}
