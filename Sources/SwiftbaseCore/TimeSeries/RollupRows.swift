/// Stored rollup cells as a query reads them, column by column: no arrays per cell, so a day of one-minute
/// cells (tens of thousands of rows) is read with a handful of allocations.
public struct RollupRows: Sendable {
    /// The tags read (a subset of the layout's, in the order asked for).
    public let tagNames: [String]
    /// How many value fields each row carries (the layout's, in its order).
    public let valueCount: Int
    public private(set) var buckets: [Int64] = []
    /// Per tag read, its value row by row.
    public private(set) var tags: [[String]]
    public private(set) var counts: [Int64] = []
    public private(set) var lastTimes: [Int64] = []
    /// Per row, per value field: sum, min, max, last (`4 × valueCount` numbers a row).
    public private(set) var stats: [Double] = []

    public var count: Int { buckets.count }

    public init(tagNames: [String], valueCount: Int) {
        self.tagNames = tagNames
        self.valueCount = valueCount
        tags = tagNames.map { _ in [] }
    }

    /// Appends a row; `tags` in ``tagNames`` order, `stats` as ``stats`` lays them out.
    public mutating func append(bucket: Int64, tags rowTags: [String], count: Int64, lastTime: Int64, stats rowStats: [Double]) {
        beginRow(bucket: bucket, count: count, lastTime: lastTime)
        for (i, tag) in rowTags.enumerated() { appendTag(tag, at: i) }
        stats.append(contentsOf: rowStats)
    }

    /// Starts a row (a reader then appends each tag and the row's `4 × valueCount` stats).
    public mutating func beginRow(bucket: Int64, count: Int64, lastTime: Int64) {
        buckets.append(bucket)
        counts.append(count)
        lastTimes.append(lastTime)
    }

    public mutating func appendTag(_ value: String, at index: Int) { tags[index].append(value) }
    public mutating func appendStat(_ value: Double) { stats.append(value) }
}
