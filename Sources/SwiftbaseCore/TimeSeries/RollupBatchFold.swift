/// Folds a batch of ``PointColumns`` into one cell per bucket and tag set, for every rollup level, reading
/// the columns in place: each point's tag set is looked up once (and not at all when it repeats the previous
/// point's), then added to its cell of each level by an integer key. Points are added in batch order, so on a
/// tie for the latest time the point written later wins, as ``RollupCell/add(time:values:)`` has it.
struct RollupBatchFold {
    private struct Slot: Hashable {
        var bucket: Int64
        var tagSet: Int
    }

    /// The cells of every level for `columns` laid out as `layout`.
    static func cells(_ columns: PointColumns, layout: TimeSeriesLayout) -> [RollupLevel: [RollupKey: RollupCell]] {
        let tagFields = layout.tags.compactMap { columns.fieldNames.firstIndex(of: $0) }
        let valueFields = layout.values.compactMap { columns.fieldNames.firstIndex(of: $0) }
        let (tagSets, setOfPoint) = tagSets(columns, fields: tagFields)
        var result: [RollupLevel: [RollupKey: RollupCell]] = [:]
        for level in RollupLevel.allCases {
            var slots: [Slot: Int] = [:]
            var keys: [Slot] = []
            var cells: [RollupCell] = []
            for point in 0..<columns.count {
                let time = columns.times[point]
                let slot = Slot(bucket: level.bucket(of: time), tagSet: setOfPoint[point])
                let cell: Int
                if let existing = slots[slot] {
                    cell = existing
                } else {
                    cell = cells.count
                    slots[slot] = cell
                    keys.append(slot)
                    cells.append(.empty(valueCount: valueFields.count))
                }
                let latest = time >= cells[cell].lastTime
                cells[cell].count += 1
                for (v, field) in valueFields.enumerated() {
                    let value = columns.numbers[field][point]
                    cells[cell].sums[v] += value
                    if value < cells[cell].mins[v] { cells[cell].mins[v] = value }
                    if value > cells[cell].maxs[v] { cells[cell].maxs[v] = value }
                    if latest { cells[cell].lasts[v] = value }
                }
                if latest { cells[cell].lastTime = time }
            }
            var levelCells: [RollupKey: RollupCell] = [:]
            levelCells.reserveCapacity(cells.count)
            for (slot, cell) in zip(keys, cells) {
                levelCells[RollupKey(bucket: slot.bucket, tags: tagSets[slot.tagSet])] = cell
            }
            result[level] = levelCells
        }
        return result
    }

    /// The distinct tag sets of the batch, and each point's index among them.
    private static func tagSets(_ columns: PointColumns, fields: [Int]) -> ([[String]], [Int]) {
        var sets: [[String]] = []
        var indexes: [[String]: Int] = [:]
        var setOfPoint: [Int] = []
        setOfPoint.reserveCapacity(columns.count)
        var scratch: [String] = []
        scratch.reserveCapacity(fields.count)
        for point in 0..<columns.count {
            if let previous = setOfPoint.last,
                fields.indices.allSatisfy({ sets[previous][$0] == columns.texts[fields[$0]][point] })
            {
                setOfPoint.append(previous)
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            for field in fields { scratch.append(columns.texts[field][point]) }
            if let known = indexes[scratch] {
                setOfPoint.append(known)
            } else {
                indexes[scratch] = sets.count
                setOfPoint.append(sets.count)
                sets.append(scratch)
            }
        }
        return (sets, setOfPoint)
    }
}
