/// What a migration can do, all in its one write transaction: change collections as the collections API
/// does (same validation, same defaults) and create records through the record write path (validation,
/// write hooks, change log) as Swiftbase itself.
///
/// Records of collections with a password field (auth collections) are not created here: hashing is slow
/// and must not run inside a transaction; create them after the app opened (or with `swiftbase superuser`).
public struct MigrationTransaction {
    /// The transaction itself, for what the methods do not cover (plain `SQLFragment`s, values bound).
    public let connection: any StoreConnection
    /// The collections as this transaction has left them so far.
    public private(set) var schema: SchemaSnapshot
    let hooks: RecordHooks
    /// The change-log entries of the records created, published once the migration committed.
    private(set) var entries: [ChangeLogEntry] = []

    init(connection: any StoreConnection, hooks: RecordHooks) throws {
        self.connection = connection
        self.hooks = hooks
        self.schema = SchemaSnapshot(try CollectionRepository.loadAll(on: connection), dialect: connection.dialect)
    }

    /// Creates a collection from its JSON, as `POST /api/collections` does.
    @discardableResult
    public mutating func createCollection(_ json: JSONValue) throws -> CollectionModel {
        let created = try CollectionService.create(try CollectionService.parseNew(json), in: schema, on: connection)
        try reloadSchema()
        return created
    }

    /// Changes a collection, as `PATCH /api/collections/{idOrName}` does.
    @discardableResult
    public mutating func updateCollection(_ idOrName: String, with patch: JSONValue) throws -> CollectionModel {
        guard let object = patch.objectValue else { throw SwiftbaseError.badRequest(CollectionService.formattingMessage) }
        let updated = try CollectionService.update(idOrName, with: object, in: schema, on: connection)
        try reloadSchema()
        return updated
    }

    /// Drops a collection and its records, as `DELETE /api/collections/{idOrName}` does.
    public mutating func deleteCollection(_ idOrName: String) throws {
        try CollectionService.delete(idOrName, in: schema, on: connection)
        try reloadSchema()
    }

    /// Creates a record with Swiftbase's own rights: field values are cast and validated as the records API
    /// does, the write hooks run, and the change is logged (actor: none).
    @discardableResult
    public mutating func createRecord(in collectionIDOrName: String, _ values: [String: JSONValue]) throws
        -> RecordModel
    {
        let collection = try RecordService.writableCollection(collectionIDOrName, in: schema)
        let failure = "Failed to create record."
        if collection.fields.contains(where: { $0.type == "password" }) {
            throw SwiftbaseError.badRequest(
                "Records of \(collection.name) have a password and are not created in a migration.")
        }
        var record = RecordService.zeroRecord(collection)
        let body = RecordInputApplier.apply(RecordInput(values), to: &record, collection: collection, auth: .system)
        RecordService.fillGenerated(&record, collection: collection, isNew: true)
        let context = RecordService.CreateContext(
            collection: collection, schema: schema, request: RequestInfo(auth: .system, body: body, method: "POST"),
            failure: failure, hooks: hooks)
        let result = try RecordService.insert(record, context: context, known: [:], on: connection)
        entries += result.entries
        return result.record ?? record
    }

    private mutating func reloadSchema() throws {
        schema = SchemaSnapshot(try CollectionRepository.loadAll(on: connection), dialect: connection.dialect)
    }
}
