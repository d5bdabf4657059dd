/// Keeps a `timeseries` collection's rollups in step with its raw points, inside the transaction that writes
/// the points (what TimescaleDB calls a real-time continuous aggregate, without its refresh lag):
///
/// - inserted points are aggregated in memory per bucket and tag set and merged into each level with one
///   upsert per group — exact whatever order points arrive in, since cells merge like sets of points;
/// - an updated or deleted point cannot be subtracted from a min, max or latest value, so each bucket it
///   touched (before and after an update) is recomputed from the raw points of that bucket and tag set.
///
/// Raw retention prunes whole hours (see `TimeSeriesRetention`), so a bucket being recomputed still has all its
/// raw points, unless the rollup outlived them: then the bucket holds only the points left.
enum TimeSeriesRollups {
    static func storage(_ conn: any StoreConnection) throws -> any TimeSeriesStorage {
        guard let storage = conn.timeSeries else {
            throw SwiftbaseError.badRequest("This store keeps no time-series collections.")
        }
        return storage
    }

    /// The point a stored record is, nil when its time is not a date (validation refuses that).
    static func point(_ record: RecordModel, layout: TimeSeriesLayout) -> TimeSeriesPoint? {
        guard let text = record.values[layout.timeField]?.stringValue, let time = TimeSeriesClock.milliseconds(text)
        else { return nil }
        return TimeSeriesPoint(
            time: time, tags: layout.tags.map { record.values[$0]?.stringValue ?? "" },
            values: layout.values.map { record.values[$0]?.doubleValue ?? 0 })
    }

    /// Merges newly inserted points into every level.
    static func added(_ points: [TimeSeriesPoint], layout: TimeSeriesLayout, on conn: any StoreConnection) throws {
        guard !points.isEmpty else { return }
        let storage = try storage(conn)
        for level in RollupLevel.allCases {
            var accumulator = RollupAccumulator(level: level)
            for point in points { accumulator.add(point) }
            try storage.merge(accumulator.cells, level: level, layout: layout)
        }
    }

    /// Merges a batch of newly inserted points into every level: folded in memory, one upsert per touched cell.
    static func added(_ columns: PointColumns, layout: TimeSeriesLayout, on conn: any StoreConnection) throws {
        guard columns.count > 0 else { return }
        let storage = try storage(conn)
        let cells = RollupBatchFold.cells(columns, layout: layout)
        for level in RollupLevel.allCases {
            try storage.merge(cells[level] ?? [:], level: level, layout: layout)
        }
    }

    /// Recomputes, from raw points, every bucket `points` fall in (call after the raw rows changed).
    static func recompute(_ points: [TimeSeriesPoint], layout: TimeSeriesLayout, on conn: any StoreConnection) throws {
        let storage = try storage(conn)
        for level in RollupLevel.allCases {
            let keys = Set(points.map { RollupKey(bucket: level.bucket(of: $0.time), tags: $0.tags) })
            for key in keys {
                let raw = try storage.points(
                    of: layout, from: key.bucket, to: key.bucket + level.milliseconds, tags: key.tags, where: nil)
                var cell = RollupCell.empty(valueCount: layout.values.count)
                for point in raw { cell.add(time: point.time, values: point.values) }
                try storage.replace(key, with: raw.isEmpty ? nil : cell, level: level, layout: layout)
            }
        }
    }

    /// Creates the rollup tables of a new collection.
    static func create(_ collection: CollectionModel, on conn: any StoreConnection) throws {
        guard let layout = TimeSeriesLayout(collection) else { return }
        try storage(conn).prepare(layout)
    }

    /// Before a schema change: the raw table's time index goes (its column may be dropped), `migrate` makes it again.
    static func beforeMigration(of old: CollectionModel, on conn: any StoreConnection) throws {
        guard let layout = TimeSeriesLayout(old) else { return }
        try storage(conn).dropTimeIndex(of: layout)
    }

    /// After a schema change: rollups whose tags and values stay are kept; otherwise they are rebuilt from the
    /// raw points kept (buckets whose raw points were pruned are lost).
    static func migrate(from old: CollectionModel, to new: CollectionModel, on conn: any StoreConnection) throws {
        guard let layout = TimeSeriesLayout(new) else { return }
        let storage = try storage(conn)
        if let previous = TimeSeriesLayout(old), previous.sharesRollups(with: layout) {
            try storage.prepare(layout)
            return
        }
        try storage.dropRollups(collectionId: layout.collectionId)
        try storage.prepare(layout)
        try added(try storage.points(of: layout, from: .min, to: .max, tags: nil, where: nil), layout: layout, on: conn)
    }

    static func drop(_ collection: CollectionModel, on conn: any StoreConnection) throws {
        guard collection.type == .timeseries else { return }
        try storage(conn).dropRollups(collectionId: collection.id)
    }
}
