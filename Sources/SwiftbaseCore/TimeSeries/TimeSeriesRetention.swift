public import Foundation

/// Prunes what a `timeseries` collection's retention lets go: raw points and rollup cells older than their
/// level's retention, in small batches (one write transaction each, so writers are never held long).
///
/// Raw points go by whole hours (the cutoff is rounded down to the hour), so a rollup bucket is never left
/// half-backed by raw points: an update or delete of a remaining point recomputes its buckets exactly.
public struct TimeSeriesRetention: Sendable {
    let store: any Store
    let registry: SchemaRegistry
    /// Rows deleted per write transaction.
    let batchSize: Int

    public init(store: any Store, registry: SchemaRegistry, batchSize: Int = 5_000) {
        self.store = store
        self.registry = registry
        self.batchSize = batchSize
    }

    /// One pass over every time-series collection; answers how many raw points and cells went.
    @discardableResult
    public func prune(now: Date) async throws -> Int {
        let nowMS = Int64((now.timeIntervalSince1970 * 1000).rounded())
        var total = 0
        for collection in registry.snapshot.collections {
            guard let layout = TimeSeriesLayout(collection), let options = collection.timeSeries else { continue }
            let levels: [RollupLevel?] = [nil] + RollupLevel.allCases.map { $0 }
            for level in levels {
                guard let seconds = options.retention(of: level) else { continue }
                let cutoff = RollupLevel.floor(nowMS - seconds * 1000, to: (level ?? .hour).milliseconds)
                total += try await prune(layout, level: level, before: cutoff)
            }
        }
        return total
    }

    private func prune(_ layout: TimeSeriesLayout, level: RollupLevel?, before cutoff: Int64) async throws -> Int {
        var total = 0
        let limit = batchSize
        while true {
            let deleted = try await store.write { conn in
                let storage = try TimeSeriesRollups.storage(conn)
                if let level { return try storage.pruneRollups(of: layout, level: level, before: cutoff, limit: limit) }
                return try storage.pruneRaw(of: layout, before: cutoff, limit: limit)
            }
            total += deleted
            if deleted < limit { return total }
        }
    }
}
