/// The aggregates of one bucket for one tag set: the point count, and per value field its sum, min, max and
/// the value of the latest point (with that point's time). Every point carries every value (a number field
/// stores 0 when left out, as in PocketBase), so one count and one latest time serve all value fields.
///
/// Cells merge associatively and commutatively: the merge of two cells is the cell of the union of their
/// points, whatever order the points arrived in. On a tie for the latest time, the merged-in cell wins (the
/// point written later).
public struct RollupCell: Sendable, Equatable {
    public var count: Int64
    public var sums: [Double]
    public var mins: [Double]
    public var maxs: [Double]
    public var lasts: [Double]
    public var lastTime: Int64

    public init(count: Int64, sums: [Double], mins: [Double], maxs: [Double], lasts: [Double], lastTime: Int64) {
        self.count = count
        self.sums = sums
        self.mins = mins
        self.maxs = maxs
        self.lasts = lasts
        self.lastTime = lastTime
    }

    /// The cell of a single point.
    public init(time: Int64, values: [Double]) {
        self.init(count: 1, sums: values, mins: values, maxs: values, lasts: values, lastTime: time)
    }

    /// The cell of no points: merging into it gives the other cell.
    public static func empty(valueCount: Int) -> RollupCell {
        RollupCell(
            count: 0, sums: Array(repeating: 0, count: valueCount), mins: Array(repeating: .infinity, count: valueCount),
            maxs: Array(repeating: -.infinity, count: valueCount), lasts: Array(repeating: 0, count: valueCount),
            lastTime: .min)
    }

    /// Adds `other`'s points to this cell.
    public mutating func merge(_ other: RollupCell) {
        count += other.count
        for i in sums.indices {
            sums[i] += other.sums[i]
            if other.mins[i] < mins[i] { mins[i] = other.mins[i] }
            if other.maxs[i] > maxs[i] { maxs[i] = other.maxs[i] }
        }
        if other.lastTime >= lastTime {
            lasts = other.lasts
            lastTime = other.lastTime
        }
    }

    /// Adds one point (cheaper than merging its cell).
    public mutating func add(time: Int64, values: [Double]) {
        count += 1
        for i in sums.indices {
            let v = values[i]
            sums[i] += v
            if v < mins[i] { mins[i] = v }
            if v > maxs[i] { maxs[i] = v }
        }
        if time >= lastTime {
            lasts = values
            lastTime = time
        }
    }
}

/// A bucket of one rollup level for one tag set: where a `RollupCell` is stored.
public struct RollupKey: Sendable, Hashable {
    /// Start of the bucket, epoch milliseconds.
    public var bucket: Int64
    /// Tag values in the layout's tag order.
    public var tags: [String]

    public init(bucket: Int64, tags: [String]) {
        self.bucket = bucket
        self.tags = tags
    }
}

/// One point as the rollups see it.
public struct TimeSeriesPoint: Sendable, Equatable {
    public var time: Int64
    public var tags: [String]
    public var values: [Double]

    public init(time: Int64, tags: [String], values: [Double]) {
        self.time = time
        self.tags = tags
        self.values = values
    }
}

/// Aggregates a batch of points in memory, one cell per bucket and tag set, so a batch costs one upsert per
/// group instead of one per point.
public struct RollupAccumulator: Sendable {
    public let level: RollupLevel
    public private(set) var cells: [RollupKey: RollupCell] = [:]

    public init(level: RollupLevel) {
        self.level = level
    }

    public mutating func add(_ point: TimeSeriesPoint) {
        let key = RollupKey(bucket: level.bucket(of: point.time), tags: point.tags)
        cells[key, default: .empty(valueCount: point.values.count)].add(time: point.time, values: point.values)
    }
}
