/// Range queries over `timeseries` collections: buckets of `step` per group, answered from the coarsest rollup
/// the step is a multiple of (1 h, else 1 min), from raw points otherwise. Exact: the edges of the range that
/// do not fill a rollup bucket are read from raw points, and a filter or list rule that reads anything but tags
/// (which rollups do not keep) sends the whole query to raw points.
extension RecordService {
    public func queryPoints(in collectionIDOrName: String, query: TimeSeriesQuery, request: RequestInfo) async throws
        -> TimeSeriesResult
    {
        let schema = registry.snapshot
        let collection = try Self.collection(collectionIDOrName, in: schema)
        guard let layout = TimeSeriesLayout(collection) else { throw Self.notTimeSeries }
        var errors: [String: ErrorItem] = [:]
        if query.groupBy.contains(where: { !layout.tags.contains($0) }) {
            errors["groupBy"] = ErrorItem("validation_invalid_value", "Group by tags only.")
        }
        if let fields = query.fields, fields.contains(where: { !layout.values.contains($0) }) {
            errors["fields"] = ErrorItem("validation_invalid_value", "Fields must be number fields.")
        }
        if !errors.isEmpty { throw SwiftbaseError.validation("Invalid time-series query.", .items(errors)) }

        let options = RecordListOptions(filter: query.filter)
        let rawFilter = try Self.timeSeriesFilter(listQuery(collection, options: options, schema: schema, request: request))
        var tagsOnly = collection
        tagsOnly.fields = collection.fields.filter { layout.tags.contains($0.name) }
        let tagFilter = (try? listQuery(tagsOnly, options: options, schema: schema, request: request)).map(Self.timeSeriesFilter)
        let level: RollupLevel? =
            tagFilter == nil ? nil : RollupLevel.allCases.reversed().first { query.step % $0.milliseconds == 0 }
        let groupIndexes = query.groupBy.compactMap { layout.tags.firstIndex(of: $0) }
        return try await store.read { conn in
            let storage = try TimeSeriesRollups.storage(conn)
            var buckets = TimeSeriesBuckets(step: query.step, valueCount: layout.values.count)
            func addRaw(from: Int64, to: Int64) throws {
                guard from < to else { return }
                for point in try storage.points(of: layout, from: from, to: to, tags: nil, where: rawFilter) {
                    buckets.add(point, groupValues: groupIndexes.map { point.tags[$0] })
                }
            }
            var source = "raw"
            if let level, let tagFilter {
                let start = RollupLevel.ceil(query.from, to: level.milliseconds)
                let end = RollupLevel.floor(query.to, to: level.milliseconds)
                if start < end {
                    source = level.name
                    let rows = try storage.cells(
                        of: layout, level: level, from: start, to: end, tags: query.groupBy, where: tagFilter)
                    buckets.add(rows, groupTags: Array(query.groupBy.indices))
                    try addRaw(from: query.from, to: start)
                    try addRaw(from: end, to: query.to)
                } else {
                    try addRaw(from: query.from, to: query.to)
                }
            } else {
                try addRaw(from: query.from, to: query.to)
            }
            return TimeSeriesResult(layout: layout, query: query, source: source, buckets: buckets.sorted())
        }
    }

    private static func timeSeriesFilter(_ query: RecordQuery) -> TimeSeriesFilter {
        TimeSeriesFilter(joins: query.joins, conditions: query.conditions)
    }
}
