import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Synchronization

/// A real `auxiliary.db` in a fresh temporary directory (beside a data store for the settings), and a log
/// service on it.
struct LogFixture {
    let data: StoreFixture
    let logStore: SQLiteLogStore
    let settings: SettingsService
    let logs: LogService

    init(_ label: String, limits: LogBatchWriter.Limits = .init()) async throws {
        data = try await StoreFixture(label)
        logStore = try SQLiteLogStore(path: data.directory.appendingPathComponent("auxiliary.db").path)
        settings = SettingsService(store: data.store)
        try await settings.load()
        logs = LogService(store: logStore, settings: settings, writer: LogBatchWriter(store: logStore, limits: limits))
    }

    func remove() { data.remove() }

    /// A request entry as the middleware would record it, created at `created`.
    static func entry(
        method: String = "GET", uri: String = "/api/health", status: Int = 200, execTime: Double = 1,
        failed: Bool = false, created: Date = Date()
    ) -> LogEntry {
        RequestLogFacts(
            method: method, uri: uri, status: status, execTimeNanoseconds: UInt64((execTime * 1_000_000).rounded()), authCollection: nil,
            authId: nil, userIP: "127.0.0.1", remoteIP: "127.0.0.1", referer: "", userAgent: "test",
            failure: failed ? .init(message: "Failed.", details: .null) : nil
        ).entry(settings: LogSettings(), now: created)!
    }
}

/// A log store that refuses its first `failures` batches, then stores through the real one; counts batches.
final class FlakyLogStore: LogStore {
    let inner: SQLiteLogStore
    private let state: Mutex<(failuresLeft: Int, batchSizes: [Int])>

    init(_ inner: SQLiteLogStore, failures: Int) {
        self.inner = inner
        self.state = Mutex((failures, []))
    }

    struct Refused: Error {}

    var batchSizes: [Int] { state.withLock { $0.batchSizes } }
    var dialect: any SQLDialect { inner.dialect }

    func insert(_ entries: [LogRow]) async throws {
        let refuse = state.withLock { state -> Bool in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return true
            }
            state.batchSizes.append(entries.count)
            return false
        }
        if refuse { throw Refused() }
        try await inner.insert(entries)
    }

    func list(_ query: LogListQuery) async throws -> (items: [LogEntry], total: Int) { try await inner.list(query) }
    func entry(id: String) async throws -> LogEntry? { try await inner.entry(id: id) }
    func hourlyCounts(matching condition: SQLFragment?) async throws -> [LogHourCount] {
        try await inner.hourlyCounts(matching: condition)
    }
    func deleteAll() async throws { try await inner.deleteAll() }
    func deleteEntries(createdAtOrBefore cutoff: String, belowLevel: Int?) async throws -> Int {
        try await inner.deleteEntries(createdAtOrBefore: cutoff, belowLevel: belowLevel)
    }
}
