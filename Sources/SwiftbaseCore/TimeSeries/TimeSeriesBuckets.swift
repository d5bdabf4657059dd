/// The buckets of a range query while they are gathered: rollup rows and raw points merged into one cell per
/// step and group, kept in flat arrays (an integer key per cell, each group's tags interned once), then sorted by
/// time and group. Merging follows ``RollupCell/merge(_:)``: counts and sums add, min/max merge, and the cell
/// merged in later wins a tie for the latest time.
struct TimeSeriesBuckets {
    private struct Slot: Hashable {
        var time: Int64
        var group: Int
    }

    let step: Int64
    let valueCount: Int
    private var groups: [[String]] = []
    private var groupIndexes: [[String]: Int] = [:]
    private var slotIndexes: [Slot: Int] = [:]
    private var slots: [Slot] = []
    private var counts: [Int64] = []
    private var lastTimes: [Int64] = []
    /// Per cell, per value: sum, min, max, last.
    private var stats: [Double] = []

    init(step: Int64, valueCount: Int) {
        self.step = step
        self.valueCount = valueCount
    }

    /// Merges every row of `rows`; `groupTags` are the indexes (into `rows.tags`) of the group's tags.
    mutating func add(_ rows: RollupRows, groupTags: [Int]) {
        var scratch: [String] = []
        scratch.reserveCapacity(groupTags.count)
        var previousGroup = -1
        let width = 4 * valueCount
        for row in 0..<rows.count {
            let group: Int
            if previousGroup >= 0,
                groupTags.indices.allSatisfy({ groups[previousGroup][$0] == rows.tags[groupTags[$0]][row] })
            {
                group = previousGroup
            } else {
                scratch.removeAll(keepingCapacity: true)
                for tag in groupTags { scratch.append(rows.tags[tag][row]) }
                group = self.group(scratch)
            }
            previousGroup = group
            let cell = self.cell(time: rows.buckets[row], group: group)
            merge(into: cell, count: rows.counts[row], lastTime: rows.lastTimes[row]) { rows.stats[row * width + $0] }
        }
    }

    /// Merges one raw point; `groupValues` are its group's tag values.
    mutating func add(_ point: TimeSeriesPoint, groupValues: [String]) {
        let cell = self.cell(time: point.time, group: group(groupValues))
        merge(into: cell, count: 1, lastTime: point.time) { point.values[$0 / 4] }
    }

    /// The buckets in time, then group order.
    func sorted() -> [TimeSeriesResult.Bucket] {
        let order = slots.indices.sorted { a, b in
            let (x, y) = (slots[a], slots[b])
            return x.time != y.time ? x.time < y.time : groups[x.group].lexicographicallyPrecedes(groups[y.group])
        }
        return order.map { index in
            var cell = RollupCell.empty(valueCount: valueCount)
            cell.count = counts[index]
            cell.lastTime = lastTimes[index]
            let base = index * 4 * valueCount
            for v in 0..<valueCount {
                cell.sums[v] = stats[base + 4 * v]
                cell.mins[v] = stats[base + 4 * v + 1]
                cell.maxs[v] = stats[base + 4 * v + 2]
                cell.lasts[v] = stats[base + 4 * v + 3]
            }
            return TimeSeriesResult.Bucket(time: slots[index].time, group: groups[slots[index].group], cell: cell)
        }
    }

    // MARK: - Cells

    private mutating func group(_ values: [String]) -> Int {
        if let known = groupIndexes[values] { return known }
        groupIndexes[values] = groups.count
        groups.append(values)
        return groups.count - 1
    }

    private mutating func cell(time: Int64, group: Int) -> Int {
        let slot = Slot(time: RollupLevel.floor(time, to: step), group: group)
        if let known = slotIndexes[slot] { return known }
        let index = slots.count
        slotIndexes[slot] = index
        slots.append(slot)
        counts.append(0)
        lastTimes.append(.min)
        for _ in 0..<valueCount { stats.append(contentsOf: [0, .infinity, -.infinity, 0]) }
        return index
    }

    /// Merges a cell whose stats are `stat(4 × value + k)` (k: sum, min, max, last) into cell `index`.
    private mutating func merge(into index: Int, count: Int64, lastTime: Int64, stat: (Int) -> Double) {
        counts[index] += count
        let latest = lastTime >= lastTimes[index]
        if latest { lastTimes[index] = lastTime }
        let base = index * 4 * valueCount
        for v in 0..<valueCount {
            let at = base + 4 * v
            stats[at] += stat(4 * v)
            let low = stat(4 * v + 1)
            if low < stats[at + 1] { stats[at + 1] = low }
            let high = stat(4 * v + 2)
            if high > stats[at + 2] { stats[at + 2] = high }
            if latest { stats[at + 3] = stat(4 * v + 3) }
        }
    }
}
