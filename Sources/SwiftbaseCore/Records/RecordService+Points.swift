/// The lean batch path for points of a `timeseries` collection: many points, one transaction.
///
/// Points go through the record service like any record — field casting and validation, the create rule for the
/// caller, the write hooks — but not through the per-record change log: a point is a reading, not a change of
/// state, and at hundreds of thousands of points a second the log (and everything that follows it: realtime,
/// webhooks, replicas) would be dominated by them. Their rollups are what consumers read instead.
///
/// All or nothing: the first bad point stops the batch, nothing is stored, and `PointBatchFailure` says which.
extension RecordService {
    /// Creates the points of a bulk body (read with ``PointBody/parse(_:format:fieldNames:)`` for this
    /// collection's fields) in one transaction and returns how many.
    public func createPoints(in collectionIDOrName: String, parsed: ParsedPoints, request: RequestInfo)
        async throws -> Int
    {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let names = collection.fields.map(\.name)
        // The schema changed since the body was read: lay its points out again.
        let points =
            parsed.fieldNames == names
            ? parsed : ParsedPoints(fieldNames: names, bodies: (0..<parsed.count).map(parsed.body))
        return try await createPoints(points, in: collection, schema: schema, request: request)
    }

    /// Creates `points` (record bodies: MQTT ingest) in `collectionIDOrName` in one transaction and returns how many.
    public func createPoints(in collectionIDOrName: String, points: [[String: JSONValue]], request: RequestInfo)
        async throws -> Int
    {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let parsed = ParsedPoints(fieldNames: collection.fields.map(\.name), bodies: points)
        return try await createPoints(parsed, in: collection, schema: schema, request: request)
    }

    private func createPoints(
        _ points: ParsedPoints, in collection: CollectionModel, schema: SchemaSnapshot, request: RequestInfo
    ) async throws -> Int {
        guard let layout = TimeSeriesLayout(collection),
            var caster = PointCaster(collection, layout: layout, auth: request.auth)
        else { throw Self.notTimeSeries }
        let auth = request.auth
        if collection.createRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .create) }
        let rule = auth.isSuperuser ? nil : collection.createRule.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        if rule != nil || hooks.hasWriteHooks(for: collection, .create) {
            return try await createPointsOneByOne(
                points, caster: caster, layout: layout, rule: rule, schema: schema, request: request)
        }
        let columns = try caster.cast(points, failure: Self.pointFailure)
        return try await store.write { conn in
            try Self.store(columns, layout: layout, on: conn)
            return columns.count
        }
    }

    /// The path for a batch that a create rule or a write hook must see point by point: each point made into a
    /// record, the hooks run and the rule checked on it inside the transaction, then the batch stored as one.
    private func createPointsOneByOne(
        _ points: ParsedPoints, caster: PointCaster, layout: TimeSeriesLayout, rule: String?, schema: SchemaSnapshot,
        request: RequestInfo
    ) async throws -> Int {
        let collection = caster.collection
        let failure = Self.pointFailure
        var records: [RecordModel] = []
        records.reserveCapacity(points.count)
        var ruleBodies: [[String: JSONValue]] = []
        for index in 0..<points.count {
            var record = Self.zeroRecord(collection)
            let ruleBody = RecordInputApplier.apply(
                RecordInput(points.body(index)), to: &record, collection: collection, auth: request.auth)
            Self.fillGenerated(&record, collection: collection, isNew: true)
            let errors = PointCaster.errors(of: record, collection: collection, layout: layout.timeField)
            if !errors.isEmpty { throw PointBatchFailure(index: index, error: .validation(failure, .items(errors))) }
            records.append(record)
            if rule != nil { ruleBodies.append(ruleBody) }
        }
        let prepared = records
        let bodies = ruleBodies
        let hooks = self.hooks
        let empty = caster.columns(capacity: prepared.count)
        return try await store.write { conn in
            var columns = empty
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
                columns.append(record, collection: collection)
            }
            try Self.store(columns, layout: layout, on: conn)
            return columns.count
        }
    }

    /// Inserts the raw points and merges them into the rollups, in the caller's transaction.
    private static func store(_ columns: PointColumns, layout: TimeSeriesLayout, on conn: any StoreConnection) throws {
        let storage = try TimeSeriesRollups.storage(conn)
        do {
            try storage.insert(columns, into: layout.table)
        } catch let refused as TimeSeriesRowFailure {
            var items: [String: ErrorItem] = [:]
            if let constraint = refused.error as? StoreConstraintError, constraint.kind == .unique {
                for column in constraint.columns { items[column] = .notUnique }
                if items.isEmpty { items["id"] = .notUnique }
            }
            let error: SwiftbaseError =
                items.isEmpty ? .badRequest(pointFailure) : .validation(pointFailure, .items(items))
            throw PointBatchFailure(index: refused.index, error: error)
        }
        try TimeSeriesRollups.added(columns, layout: layout, on: conn)
    }

    static let pointFailure = "Failed to create record."
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
