/// What a store keeps for `timeseries` collections besides their table: the rollup tables and the reads and
/// writes the time-series paths need. Reached inside a transaction through ``StoreConnection/timeSeries``;
/// every statement binds its values.
///
/// Filters (`where`) are compiled filters and rules over the collection's name: raw reads run them on the
/// collection's table, rollup reads on the rollup table seen under the collection's name (its tag columns carry
/// the tag fields' names).
public protocol TimeSeriesStorage {
    /// Creates the rollup tables of `layout` and the time index of its raw table, when missing.
    func prepare(_ layout: TimeSeriesLayout) throws
    /// Drops the time index `prepare` made on the raw table (before a schema change that may drop its column).
    func dropTimeIndex(of layout: TimeSeriesLayout) throws
    /// Drops the rollup tables of the collection `collectionId`.
    func dropRollups(collectionId: String) throws
    /// Inserts `points` into `table` (its columns are the points' field names), with one prepared statement for
    /// the batch. A refused row throws `TimeSeriesRowFailure` with its index.
    func insert(_ points: PointColumns, into table: String) throws
    /// Merges `cells` into the stored cells of `level` (an upsert per cell: counts and sums add, min/max and the
    /// latest value merge as ``RollupCell/merge(_:)`` does).
    func merge(_ cells: [RollupKey: RollupCell], level: RollupLevel, layout: TimeSeriesLayout) throws
    /// Replaces the stored cell of `key` with `cell`, or removes it when `cell` is nil.
    func replace(_ key: RollupKey, with cell: RollupCell?, level: RollupLevel, layout: TimeSeriesLayout) throws
    /// Raw points with `from <= time < to` (epoch milliseconds), with the tags `tags` when given, matching `condition`.
    func points(
        of layout: TimeSeriesLayout, from: Int64, to: Int64, tags: [String]?, where filter: TimeSeriesFilter?
    ) throws -> [TimeSeriesPoint]
    /// Stored cells of `level` whose bucket starts in `from..<to`, matching `condition`, with the tags `tags`
    /// (a subset of the layout's) and every value field's stats.
    func cells(
        of layout: TimeSeriesLayout, level: RollupLevel, from: Int64, to: Int64, tags: [String],
        where filter: TimeSeriesFilter?
    ) throws -> RollupRows
    /// Deletes up to `limit` raw points older than `before`; returns how many.
    func pruneRaw(of layout: TimeSeriesLayout, before: Int64, limit: Int) throws -> Int
    /// Deletes up to `limit` cells of `level` whose bucket starts before `before`; returns how many.
    func pruneRollups(of layout: TimeSeriesLayout, level: RollupLevel, before: Int64, limit: Int) throws -> Int
}

/// A compiled filter (list rule and client filter) for a time-series read: the joins it needs and its conditions,
/// ANDed; values bound.
public struct TimeSeriesFilter: Sendable {
    public var joins: [SQLFragment]
    public var conditions: [SQLFragment]

    public init(joins: [SQLFragment], conditions: [SQLFragment]) {
        self.joins = joins
        self.conditions = conditions
    }
}

/// A row of a batch insert the store refused (a duplicate id, say): which row, and the store's error.
public struct TimeSeriesRowFailure: Error {
    public let index: Int
    public let error: any Error

    public init(index: Int, error: any Error) {
        self.index = index
        self.error = error
    }
}
