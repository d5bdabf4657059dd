@testable import SwiftbaseCore
import Testing

/// A query answer written straight to bytes must be byte for byte what writing its `JSONValue` gives, and the
/// buckets gathered in flat arrays must be the cells merged one by one.
@Suite struct TimeSeriesResultEncodingTests {
    private static let collection = CollectionModel(
        id: "ts1", name: "readings", type: .timeseries,
        fields: [
            SystemCollections.idField(),
            FieldModel(name: "time", options: .date(DateFieldOptions())),
            FieldModel(name: "site", options: .select(SelectFieldOptions(values: ["north", "south"], maxSelect: 1))),
            FieldModel(name: "device", options: .text(TextFieldOptions())),
            FieldModel(name: "temp", options: .number(NumberFieldOptions())),
            FieldModel(name: "Hum", options: .number(NumberFieldOptions())),
            FieldModel(name: "a<b", options: .number(NumberFieldOptions())),
        ])

    private func result(_ query: TimeSeriesQuery, buckets: [TimeSeriesResult.Bucket]) -> TimeSeriesResult {
        TimeSeriesResult(layout: TimeSeriesLayout(Self.collection)!, query: query, source: "1m", buckets: buckets)
    }

    private func bucket(_ time: Int64, _ group: [String], _ values: [Double], count: Int64 = 3) -> TimeSeriesResult.Bucket {
        TimeSeriesResult.Bucket(
            time: time, group: group,
            cell: RollupCell(
                count: count, sums: values.map { $0 * 3 }, mins: values.map { $0 - 1.25 }, maxs: values.map { $0 + 1e22 },
                lasts: values.map { -$0 / 7 }, lastTime: time + 5))
    }

    private func expectSameBytes(_ result: TimeSeriesResult) {
        var expected: [UInt8] = []
        JSONWriter.write(result.json, into: &expected)
        #expect(result.encoded == expected, "\(String(decoding: result.encoded, as: UTF8.self))")
    }

    @Test func everyAggregateAndGroupMatchesTheJSONWriter() {
        let query = TimeSeriesQuery(
            from: 0, to: 86_400_000, step: 60_000, aggregates: [.sum, .last, .avg, .count, .min, .max],
            groupBy: ["site", "device"])
        expectSameBytes(result(query, buckets: [
            bucket(1_765_000_000_000, ["north", "d\"1<&>"], [21.5, 0, 1e-7]),
            bucket(1_765_000_060_000, ["south", "dé\u{2028}"], [.nan, .infinity, 123_456_789.125], count: 0),
            bucket(1_765_000_060_000, ["", ""], [-0.0, 9_007_199_254_740_994, 1e21]),
        ]))
    }

    @Test func fieldsDuplicatesAndNoGroupsMatchTheJSONWriter() {
        expectSameBytes(result(TimeSeriesQuery(from: 0, to: 1, step: 3_600_000), buckets: []))
        expectSameBytes(result(TimeSeriesQuery(from: 0, to: 1, step: 60_000), buckets: [bucket(0, [], [1, 2, 3])]))
        let query = TimeSeriesQuery(
            from: 0, to: 1, step: 120_000, aggregates: [.max], fields: ["temp", "a<b", "temp"], groupBy: ["site", "site"])
        expectSameBytes(result(query, buckets: [bucket(120_000, ["north", "north"], [1.5, 2, 3])]))
    }

    @Test func bucketsMergeAsCellsDo() {
        var rows = RollupRows(tagNames: ["site"], valueCount: 1)
        var expected: [Int64: [String: RollupCell]] = [:]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let minute = Int64.random(in: 0..<30, using: &rng) * 60_000
            let site = ["north", "south"].randomElement(using: &rng)!
            let v = Double(Int.random(in: -100...100, using: &rng))
            let lastTime = minute + Int64.random(in: 0..<3, using: &rng)
            let cell = RollupCell(count: 2, sums: [v], mins: [v - 1], maxs: [v + 1], lasts: [v * 2], lastTime: lastTime)
            rows.append(bucket: minute, tags: [site], count: 2, lastTime: lastTime, stats: [v, v - 1, v + 1, v * 2])
            let step = RollupLevel.floor(minute, to: 300_000)
            expected[step, default: [:]][site, default: .empty(valueCount: 1)].merge(cell)
        }
        var buckets = TimeSeriesBuckets(step: 300_000, valueCount: 1)
        buckets.add(rows, groupTags: [0])
        let point = TimeSeriesPoint(time: 299_999, tags: ["north"], values: [1000])
        buckets.add(point, groupValues: ["north"])
        expected[0, default: [:]]["north", default: .empty(valueCount: 1)].merge(RollupCell(time: 299_999, values: [1000]))
        let sorted = buckets.sorted()
        let flat = expected.keys.sorted().flatMap { time in expected[time]!.keys.sorted().map { (time, $0) } }
        #expect(sorted.map { [String($0.time)] + $0.group } == flat.map { [String($0.0), $0.1] })
        for bucket in sorted { #expect(bucket.cell == expected[bucket.time]![bucket.group[0]]!) }
    }
}
