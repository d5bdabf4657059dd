/// The lean batch path for points of a `timeseries` collection: many points, one transaction.
///
/// Points go through the record service like any record — field casting and validation, the create rule for the
/// caller, the write hooks — but not through the per-record change log: a point is a reading, not a change of
/// state, and at hundreds of thousands of points a second the log (and everything that follows it: realtime,
/// webhooks, replicas) would be dominated by them. Their rollups are what consumers read instead.
///
/// All or nothing: the first bad point stops the batch, nothing is stored, and `PointBatchFailure` says which.
extension RecordService {
    /// Creates `points` (record bodies) in `collectionIDOrName` in one transaction and returns how many.
    public func createPoints(in collectionIDOrName: String, points: [[String: JSONValue]], request: RequestInfo)
        async throws -> Int
    {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        guard let layout = TimeSeriesLayout(collection) else { throw Self.notTimeSeries }
        let auth = request.auth
        if collection.createRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .create) }
        let failure = "Failed to create record."
        var records: [RecordModel] = []
        records.reserveCapacity(points.count)
        var ruleBodies: [[String: JSONValue]] = []
        let rule = auth.isSuperuser ? nil : collection.createRule.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        for (index, body) in points.enumerated() {
            var record = Self.zeroRecord(collection)
            let ruleBody = RecordInputApplier.apply(RecordInput(body), to: &record, collection: collection, auth: auth)
            Self.fillGenerated(&record, collection: collection, isNew: true)
            var errors = Self.fieldErrors(record, collection: collection)
            if (record.values[layout.timeField]?.stringValue ?? "").isEmpty { errors[layout.timeField] = .required }
            if !errors.isEmpty { throw PointBatchFailure(index: index, error: .validation(failure, .items(errors))) }
            records.append(record)
            if rule != nil { ruleBodies.append(ruleBody) }
        }
        let prepared = records
        let bodies = ruleBodies
        let hooks = self.hooks
        return try await store.write { conn in
            let storage = try TimeSeriesRollups.storage(conn)
            var rows: [[SQLValue]] = []
            rows.reserveCapacity(prepared.count)
            var added: [TimeSeriesPoint] = []
            added.reserveCapacity(prepared.count)
            for (index, original) in prepared.enumerated() {
                var record = original
                do {
                    var event = RecordWriteEvent(
                        action: .create, collection: collection, record: record, original: nil, request: request,
                        connection: conn, failure: failure)
                    try hooks.runWrite(&event)
                    record = event.record
                    if let rule {
                        var ruleRequest = request
                        ruleRequest.body = bodies[index]
                        if let check = try Self.newRecordCheck(
                            rule, record: record, collection: collection, schema: schema, request: ruleRequest),
                            try conn.row(check) == nil
                        {
                            throw SwiftbaseError.badRequest(failure).audited("rule.denied", target: "\(collection.name) create")
                        }
                    }
                } catch let error as SwiftbaseError {
                    throw PointBatchFailure(index: index, error: error)
                }
                rows.append(collection.fields.map { $0.options.behavior.sqlValue(record.values[$0.name] ?? .null, for: $0) })
                if let point = TimeSeriesRollups.point(record, layout: layout) { added.append(point) }
            }
            do {
                try storage.insert(into: collection.name, columns: collection.fields.map(\.name), rows: rows)
            } catch let refused as TimeSeriesRowFailure {
                var items: [String: ErrorItem] = [:]
                if let constraint = refused.error as? StoreConstraintError, constraint.kind == .unique {
                    for column in constraint.columns { items[column] = .notUnique }
                    if items.isEmpty { items["id"] = .notUnique }
                }
                let error: SwiftbaseError = items.isEmpty ? .badRequest(failure) : .validation(failure, .items(items))
                throw PointBatchFailure(index: refused.index, error: error)
            }
            try TimeSeriesRollups.added(added, layout: layout, on: conn)
            return rows.count
        }
    }

    static let notTimeSeries = SwiftbaseError.badRequest("The collection is not a time-series collection.")
}

/// A batch of points refused: the index of the first bad point in the batch and its error. Nothing was stored.
public struct PointBatchFailure: Error, Sendable {
    public let index: Int
    public let error: SwiftbaseError

    public init(index: Int, error: SwiftbaseError) {
        self.index = index
        self.error = error
    }
}
