import SwiftbaseCore
import Testing

/// Rollup cells merge like the sets of points they stand for: whatever the order points arrive in and however
/// they are split into batches, the merged cell is the cell of all of them.
@Suite struct RollupCellTests {
    /// A deterministic generator, so a failure names a reproducible case.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func cell(of points: [TimeSeriesPoint]) -> RollupCell {
        var cell = RollupCell.empty(valueCount: 2)
        for point in points { cell.add(time: point.time, values: point.values) }
        return cell
    }

    private func points(_ count: Int, seed: UInt64) -> [TimeSeriesPoint] {
        var rng = SplitMix(state: seed)
        // Distinct times, so the latest point is one point.
        let times = (0..<Int64(count)).map { $0 * 997 }.shuffled(using: &rng)
        return times.map { time in
            TimeSeriesPoint(
                time: time, tags: ["a"], values: [Double(Int.random(in: -500...500, using: &rng)) / 4, Double(time % 13)])
        }
    }

    @Test func aPointsCellHoldsItsValues() {
        let cell = RollupCell(time: 42, values: [1.5, -2])
        #expect(cell == RollupCell(count: 1, sums: [1.5, -2], mins: [1.5, -2], maxs: [1.5, -2], lasts: [1.5, -2], lastTime: 42))
        var empty = RollupCell.empty(valueCount: 2)
        empty.merge(cell)
        #expect(empty == cell)
    }

    @Test(arguments: [1 as UInt64, 2, 3, 19, 2026])
    func mergingBatchesInAnyOrderEqualsAggregatingAllPoints(seed: UInt64) {
        let all = points(200, seed: seed)
        let expected = cell(of: all)
        #expect(expected.count == 200)
        #expect(expected.sums[0] == all.reduce(0) { $0 + $1.values[0] })
        #expect(expected.mins[0] == all.map { $0.values[0] }.min())
        #expect(expected.maxs[0] == all.map { $0.values[0] }.max())
        let latest = all.max { $0.time < $1.time }
        #expect(expected.lasts == latest?.values)
        #expect(expected.lastTime == latest?.time)

        var rng = SplitMix(state: seed &* 31)
        var batches: [[TimeSeriesPoint]] = []
        var rest = all[...]
        while !rest.isEmpty {
            let n = Int.random(in: 1...40, using: &rng)
            batches.append(Array(rest.prefix(n)))
            rest = rest.dropFirst(n)
        }
        batches.shuffle(using: &rng)
        var merged = RollupCell.empty(valueCount: 2)
        for batch in batches { merged.merge(cell(of: batch)) }
        #expect(merged == expected)
    }

    @Test func aLaterWrittenPointWinsATieForTheLatestTime() {
        var cell = RollupCell(time: 10, values: [1, 1])
        cell.merge(RollupCell(time: 10, values: [2, 2]))
        #expect(cell.lasts == [2, 2])
        cell.merge(RollupCell(time: 9, values: [3, 3]))
        #expect(cell.lasts == [2, 2])
        #expect(cell.count == 3 && cell.mins == [1, 1] && cell.maxs == [3, 3] && cell.sums == [6, 6])
    }

    @Test func anAccumulatorGroupsPointsByBucketAndTagSet() {
        var accumulator = RollupAccumulator(level: .minute)
        accumulator.add(TimeSeriesPoint(time: 59_999, tags: ["x"], values: [1]))
        accumulator.add(TimeSeriesPoint(time: 0, tags: ["x"], values: [2]))
        accumulator.add(TimeSeriesPoint(time: 60_000, tags: ["x"], values: [3]))
        accumulator.add(TimeSeriesPoint(time: 30_000, tags: ["y"], values: [4]))
        accumulator.add(TimeSeriesPoint(time: -1, tags: ["x"], values: [5]))
        let cells = accumulator.cells
        #expect(cells.count == 4)
        #expect(cells[RollupKey(bucket: 0, tags: ["x"])] == RollupCell(count: 2, sums: [3], mins: [1], maxs: [2], lasts: [1], lastTime: 59_999))
        #expect(cells[RollupKey(bucket: 60_000, tags: ["x"])]?.count == 1)
        #expect(cells[RollupKey(bucket: 0, tags: ["y"])]?.sums == [4])
        #expect(cells[RollupKey(bucket: -60_000, tags: ["x"])]?.sums == [5])
    }

    @Test func retentionTextsReadAsSeconds() {
        #expect(TimeSeriesOptions.seconds(of: "") == .some(nil))
        #expect(TimeSeriesOptions.seconds(of: "0") == .some(nil))
        #expect(TimeSeriesOptions.seconds(of: "90s") == .some(90))
        #expect(TimeSeriesOptions.seconds(of: "7d") == .some(604_800))
        #expect(TimeSeriesOptions.seconds(of: "2w") == .some(1_209_600))
        for bad in ["7", "d", "-1d", "1.5h", "7 days", "3y"] { #expect(TimeSeriesOptions.seconds(of: bad) == nil) }
    }
}
