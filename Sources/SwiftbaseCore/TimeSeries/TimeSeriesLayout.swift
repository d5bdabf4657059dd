import Foundation

/// How a `timeseries` collection's fields play their parts: its one date field is the time, its text and
/// select fields (the `id` aside) are tags, its number fields are values. Rollup tables are named after the
/// collection's id (`_ts_<id>_1m`), so a renamed collection keeps them.
public struct TimeSeriesLayout: Sendable, Equatable {
    public let collectionId: String
    /// The raw points' table: the collection's own.
    public let table: String
    public let timeField: String
    public let tags: [String]
    public let values: [String]

    /// Nil for a collection that is not a time series or has no date field (validation refuses that).
    public init?(_ collection: CollectionModel) {
        guard collection.type == .timeseries,
            let time = collection.fields.first(where: { if case .date = $0.options { true } else { false } })
        else { return nil }
        collectionId = collection.id
        table = collection.name
        timeField = time.name
        var tags: [String] = []
        var values: [String] = []
        for field in collection.fields {
            switch field.options {
            case .text where field.name != "id", .select: tags.append(field.name)
            case .number: values.append(field.name)
            default: continue
            }
        }
        self.tags = tags
        self.values = values
    }

    public func rollupTable(_ level: RollupLevel) -> String { "_ts_\(collectionId)_\(level.name)" }

    /// Whether the rollups of `other` could be kept for this layout (same tags and values, same order).
    public func sharesRollups(with other: TimeSeriesLayout) -> Bool {
        tags == other.tags && values == other.values && timeField == other.timeField
    }
}

/// A rollup level: buckets of one minute or one hour, aligned on the Unix epoch.
public enum RollupLevel: String, Sendable, CaseIterable, Hashable {
    case minute, hour

    public var name: String { self == .minute ? "1m" : "1h" }
    public var milliseconds: Int64 { self == .minute ? 60_000 : 3_600_000 }

    /// The start of the bucket holding `time` (milliseconds since the epoch).
    public func bucket(of time: Int64) -> Int64 { Self.floor(time, to: milliseconds) }

    static func floor(_ value: Int64, to step: Int64) -> Int64 {
        let r = value % step
        return r < 0 ? value - r - step : value - r
    }

    static func ceil(_ value: Int64, to step: Int64) -> Int64 {
        let f = floor(value, to: step)
        return f == value ? f : f + step
    }
}

/// Points in time as milliseconds since the epoch, and back to PocketBase's date text.
public enum TimeSeriesClock {
    /// The epoch milliseconds of a canonical (or any accepted) date text; nil when it is not a date.
    public static func milliseconds(_ text: String) -> Int64? {
        var text = text
        if let ms = text.withUTF8({ DateTime.canonicalMilliseconds($0) }) { return ms }
        guard let date = DateTime.parseCanonical(text) ?? DateTime.parse(text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The canonical date text of `milliseconds` (what a date field stores, so it compares as text).
    public static func text(_ milliseconds: Int64) -> String {
        DateTime.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
