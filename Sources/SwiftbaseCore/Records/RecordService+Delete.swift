extension RecordService {
    /// Deletes a record and resolves references to it in the same transaction: ids are removed from
    /// referencing relation fields; a referencing record whose `cascadeDelete` field becomes empty is deleted
    /// too (recursively); one whose `required` field would become empty blocks the delete.
    public func delete(in collectionIDOrName: String, id: String, request: RequestInfo) async throws {
        _ = try await perform(prepareDelete(in: collectionIDOrName, id: id, request: request))
    }

    /// The delete, prepared for a transaction (see `RecordWrite`).
    public func prepareDelete(in collectionIDOrName: String, id: String, request: RequestInfo) async throws
        -> RecordWrite
    {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let auth = request.auth
        if collection.deleteRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .delete) }
        _ = try await hooks.runRequest(.delete, collection: collection, recordId: id, input: RecordInput([:]), request: request)
        let context = DeleteContext(schema: schema, hooks: hooks, request: request)
        return RecordWrite(failure: Self.deleteFailure) { conn in
            guard let row = try conn.row(Self.selectByID(id, collection)) else { throw SwiftbaseError.notFound() }
            if !auth.isSuperuser, let rule = collection.deleteRule {
                try Self.requireRule(rule, on: id, collection: collection, schema: schema, request: request, conn: conn)
            }
            if collection.id == SystemCollections.superusersID {
                let count = try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_superusers""#))
                if (count?.int64Value ?? 0) <= 1 {
                    throw SwiftbaseError.badRequest("You can't delete the only existing superuser.")
                }
            }
            var entries: [ChangeLogEntry] = []
            var visited: Set<String> = []
            try Self.deleteCascading(
                RecordRow.record(from: row, in: collection), collection: collection, context: context, on: conn,
                visited: &visited, entries: &entries)
            return RecordWriteResult(record: nil, entries: entries)
        }
    }

    private static let deleteFailure = "Failed to delete record."

    private static let blockedByRequiredRelation = SwiftbaseError.badRequest(
        "Failed to delete record. Make sure that the record is not part of a required relation reference.")

    /// What every step of a cascading delete shares.
    struct DeleteContext: Sendable {
        let schema: SchemaSnapshot
        let hooks: RecordHooks
        let request: RequestInfo
        var actor: String { request.auth.record?.id ?? "" }
    }

    /// Deletes `record` (after its delete hooks agreed) and resolves the references to it.
    static func deleteCascading(
        _ record: RecordModel, collection: CollectionModel, context: DeleteContext, on conn: any StoreConnection,
        visited: inout Set<String>, entries: inout [ChangeLogEntry]
    ) throws {
        let key = collection.id + "/" + record.id
        guard visited.insert(key).inserted else { return }
        var event = RecordWriteEvent(
            action: .delete, collection: collection, record: record, original: record, request: context.request,
            connection: conn, failure: deleteFailure)
        try context.hooks.runWrite(&event)
        let schema = context.schema
        let actor = context.actor
        for (refCollection, field) in schema.references(to: collection.id) {
            guard case .relation(let options) = field.options else { continue }
            let table = quoteIdentifier(refCollection.name)
            let column = quoteIdentifier(field.name)
            let condition =
                field.isMultiple
                ? "EXISTS (SELECT 1 FROM \(conn.dialect.jsonArrayElements("\(table).\(column)")) WHERE value = ?)"
                : "\(table).\(column) = ?"
            let rows = try conn.rows(
                SQLFragment(unsafeRaw: "SELECT * FROM \(table) WHERE \(condition)", arguments: [.text(record.id)]))
            for row in rows {
                var referencing = RecordRow.storedRecord(from: row, in: refCollection)
                if refCollection.id == collection.id && referencing.id == record.id { continue }
                let remaining = ids(in: referencing.values[field.name]).filter { $0 != record.id }
                if remaining.isEmpty && options.cascadeDelete {
                    try deleteCascading(
                        RecordRow.record(from: row, in: refCollection), collection: refCollection, context: context,
                        on: conn, visited: &visited, entries: &entries)
                    continue
                }
                if remaining.isEmpty && field.required { throw blockedByRequiredRelation }
                referencing.values[field.name] = field.isMultiple ? .array(remaining.map { .string($0) }) : .string("")
                try conn.execute(RecordRow.update(referencing, in: refCollection))
                let output = RecordEncoder.json(referencing, collection: refCollection, auth: .superuserSystem)
                entries.append(try ChangeLog.append(.update, record: referencing, recordJSON: output, actor: actor, on: conn))
            }
        }
        if collection.isAuth {
            // What belongs to an auth record by `collectionRef` + `recordRef` goes with it, as in PocketBase.
            for owned in SystemCollections.authRecordReferenceIDs {
                guard let ownedCollection = schema.collection(owned) else { continue }
                let rows = try conn.rows(
                    SQLFragment(
                        unsafeRaw: "SELECT * FROM \(quoteIdentifier(ownedCollection.name)) WHERE \"collectionRef\" = ? AND \"recordRef\" = ?",
                        arguments: [.text(collection.id), .text(record.id)]))
                for row in rows {
                    try deleteCascading(
                        RecordRow.record(from: row, in: ownedCollection), collection: ownedCollection, context: context,
                        on: conn, visited: &visited, entries: &entries)
                }
            }
        }
        try conn.execute(
            SQLFragment(
                unsafeRaw: "DELETE FROM \(quoteIdentifier(collection.name)) WHERE \"id\" = ?", arguments: [.text(record.id)]))
        if let layout = TimeSeriesLayout(collection) {
            try TimeSeriesRollups.recompute(
                TimeSeriesRollups.point(record, layout: layout).map { [$0] } ?? [], layout: layout, on: conn)
            return
        }
        let output = RecordEncoder.json(record, collection: collection, auth: .superuserSystem)
        entries.append(try ChangeLog.append(.delete, record: record, recordJSON: output, actor: actor, on: conn))
    }

    /// Deletes an auth record's `_authOrigins` entries, logged as deletes.
    static func deleteAuthOrigins(
        of record: RecordModel, collection: CollectionModel, context: DeleteContext, on conn: any StoreConnection,
        entries: inout [ChangeLogEntry]
    ) throws {
        guard let origins = context.schema.collection(SystemCollections.authOriginsID) else { return }
        var visited: Set<String> = []
        let rows = try conn.rows(
            SQLFragment(
                unsafeRaw: #"SELECT * FROM "_authOrigins" WHERE "collectionRef" = ? AND "recordRef" = ?"#,
                arguments: [.text(collection.id), .text(record.id)]))
        for row in rows {
            try deleteCascading(
                RecordRow.record(from: row, in: origins), collection: origins, context: context, on: conn, visited: &visited,
                entries: &entries)
        }
    }

    /// Deletes every record of a collection, with the same reference handling as single deletes.
    public func truncate(_ collectionIDOrName: String) async throws {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let context = DeleteContext(schema: schema, hooks: hooks, request: RequestInfo(auth: .system, method: "DELETE"))
        let entries = try await store.write(
            { conn -> [ChangeLogEntry] in
                var entries: [ChangeLogEntry] = []
                var visited: Set<String> = []
                let rows = try conn.rows(SQLFragment(unsafeRaw: "SELECT * FROM \(quoteIdentifier(collection.name))"))
                for row in rows {
                    try Self.deleteCascading(
                        RecordRow.record(from: row, in: collection), collection: collection, context: context, on: conn,
                        visited: &visited, entries: &entries)
                }
                return entries
            }, committed: { [self] in published($0) })
        await removeFiles(of: [RecordWriteResult(record: nil, entries: entries)])
    }
}
