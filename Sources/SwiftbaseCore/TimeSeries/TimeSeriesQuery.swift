public import Foundation

/// A range query over a `timeseries` collection, as `GET /api/timeseries/{collection}/query` takes it:
/// `from`/`to` (dates, `to` excluded; default the last 24 hours), `step` (a duration, default `1m`), `agg` (any of
/// `avg,min,max,count,sum,last`, default `avg`), `fields` (value fields, default all), `filter` (the filter
/// language, over tags for rollups) and `groupBy` (tags, comma-separated; none merges every tag set).
public struct TimeSeriesQuery: Sendable, Equatable {
    public enum Aggregate: String, Sendable, CaseIterable {
        case avg, min, max, count, sum, last
    }

    /// Epoch milliseconds, `from` included, `to` excluded.
    public var from: Int64
    public var to: Int64
    /// Bucket width in milliseconds; buckets are aligned on the Unix epoch.
    public var step: Int64
    public var aggregates: [Aggregate]
    public var fields: [String]?
    public var filter: String
    public var groupBy: [String]

    /// At most this many buckets per group (a wider range needs a wider step).
    public static let maximumBuckets: Int64 = 100_000

    public init(
        from: Int64, to: Int64, step: Int64, aggregates: [Aggregate] = [.avg], fields: [String]? = nil,
        filter: String = "", groupBy: [String] = []
    ) {
        self.from = from
        self.to = to
        self.step = step
        self.aggregates = aggregates
        self.fields = fields
        self.filter = filter
        self.groupBy = groupBy
    }

    /// Reads the query parameters; a bad one is a 400 naming it in `data`.
    public init(parameters: [String: String], now: Date = Date()) throws(SwiftbaseError) {
        func invalid(_ key: String, _ message: String) -> SwiftbaseError {
            .validation("Invalid time-series query.", .items([key: ErrorItem("validation_invalid_value", message)]))
        }
        func time(_ key: String) throws(SwiftbaseError) -> Int64? {
            guard let text = parameters[key], !text.isEmpty else { return nil }
            guard let ms = TimeSeriesClock.milliseconds(text) else { throw invalid(key, "Must be a date.") }
            return ms
        }
        let nowMS = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let to = try time("to") ?? nowMS
        let from = try time("from") ?? to - 86_400_000
        guard from < to else { throw invalid("to", "Must be after from.") }
        let stepText = parameters["step"].flatMap { $0.isEmpty ? nil : $0 } ?? "1m"
        guard case .some(.some(let seconds)) = TimeSeriesOptions.seconds(of: stepText) else {
            throw invalid("step", "Must be a whole number with a unit (s, m, h, d, w).")
        }
        let step = seconds * 1000
        guard (to - from) / step < Self.maximumBuckets else {
            throw invalid("step", "Too many buckets: at most \(Self.maximumBuckets) per group.")
        }
        var aggregates: [Aggregate] = []
        for name in Self.list(parameters["agg"]) {
            guard let aggregate = Aggregate(rawValue: name) else {
                throw invalid("agg", "Aggregates are avg, min, max, count, sum and last.")
            }
            if !aggregates.contains(aggregate) { aggregates.append(aggregate) }
        }
        let fields = Self.list(parameters["fields"])
        self.init(
            from: from, to: to, step: step, aggregates: aggregates.isEmpty ? [.avg] : aggregates,
            fields: fields.isEmpty ? nil : fields, filter: parameters["filter"] ?? "",
            groupBy: Self.list(parameters["groupBy"]))
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The answer of a `TimeSeriesQuery`: one bucket per step and group that holds points, in time then group order.
public struct TimeSeriesResult: Sendable {
    public struct Bucket: Sendable {
        /// Start of the bucket, epoch milliseconds.
        public var time: Int64
        /// The `groupBy` tags' values.
        public var group: [String]
        public var cell: RollupCell
    }

    public var layout: TimeSeriesLayout
    public var query: TimeSeriesQuery
    /// Where the whole buckets were read: `1h`, `1m` or `raw` (partial edges are always read raw).
    public var source: String
    public var buckets: [Bucket]

    /// The answer in JSON:
    /// `{"source", "step", "items": [{"time", "group": {tag: value}, "values": {field: {agg: number}}}]}`.
    public var json: JSONValue {
        let fields = query.fields ?? layout.values
        let indexes = fields.compactMap { layout.values.firstIndex(of: $0) }
        let items: [JSONValue] = buckets.map { bucket in
            var group: [String: JSONValue] = [:]
            for (name, value) in zip(query.groupBy, bucket.group) { group[name] = .string(value) }
            var values: [String: JSONValue] = [:]
            for i in indexes {
                var aggregates: [String: JSONValue] = [:]
                let cell = bucket.cell
                for aggregate in query.aggregates {
                    switch aggregate {
                    case .avg: aggregates["avg"] = .number(cell.sums[i] / Double(cell.count))
                    case .min: aggregates["min"] = .number(cell.mins[i])
                    case .max: aggregates["max"] = .number(cell.maxs[i])
                    case .count: aggregates["count"] = .number(Double(cell.count))
                    case .sum: aggregates["sum"] = .number(cell.sums[i])
                    case .last: aggregates["last"] = .number(cell.lasts[i])
                    }
                }
                values[layout.values[i]] = .object(aggregates)
            }
            return .object([
                "time": .string(TimeSeriesClock.text(bucket.time)), "group": .object(group), "values": .object(values),
            ])
        }
        return .object([
            "source": .string(source), "step": .number(Double(query.step / 1000)), "items": .array(items),
        ])
    }
}
