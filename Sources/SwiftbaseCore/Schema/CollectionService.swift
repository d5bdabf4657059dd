/// Creates, changes and removes collections. Each change validates against the schema as stored, migrates
/// the collection's table and records the change — all in one write transaction — then publishes the new
/// schema snapshot.
public final class CollectionService: Sendable {
    public let store: any Store
    public let registry: SchemaRegistry

    public init(store: any Store, registry: SchemaRegistry) {
        self.store = store
        self.registry = registry
    }

    /// Creates the system tables and the built-in collections of a new data directory, then loads the schema.
    public func bootstrap() async throws {
        let (generation, snapshot) = try await store.write { conn in
            try SystemTables.create(on: conn)
            var existing = try CollectionRepository.loadAll(on: conn)
            let builtIns = [
                SystemCollections.mfas(), SystemCollections.otps(), SystemCollections.externalAuths(),
                SystemCollections.authOrigins(), SystemCollections.superusers(), SystemCollections.users(),
            ]
            for builtIn in builtIns
            where !existing.contains(where: { $0.id == builtIn.id }) {
                var collection = builtIn
                collection.created = DateTime.now()
                collection.updated = collection.created
                try CollectionRepository.insert(collection, on: conn)
                for statement in TableDDL.create(collection, in: conn.dialect) { try conn.execute(statement) }
                try CollectionRepository.recordChange(
                    collectionId: collection.id, action: "create", before: nil, after: collection, on: conn)
                existing.append(collection)
            }
            return (try Self.generation(on: conn), SchemaSnapshot(existing, dialect: conn.dialect))
        }
        registry.publish(snapshot, generation: generation)
    }

    /// Re-reads the schema from the store (e.g. after another process changed it).
    public func reload() async throws {
        let (generation, snapshot) = try await store.read { conn in
            (try Self.generation(on: conn), try CollectionRepository.snapshot(on: conn))
        }
        registry.publish(snapshot, generation: generation)
    }

    // MARK: - Create

    /// Creates a collection from its JSON. As PocketBase does, `type` and `name` are read first: either of
    /// them not a string is a formatting error; an unknown `type` is a validation error on `type`.
    public func create(_ json: JSONValue) async throws -> CollectionModel {
        let input = try Self.parseNew(json)
        return try await mutate { conn, snapshot in try Self.create(input, in: snapshot, on: conn) }
    }

    /// The collection `json` describes, before defaults and validation.
    static func parseNew(_ json: JSONValue) throws -> CollectionModel {
        guard let object = json.objectValue else { throw SwiftbaseError.badRequest(Self.formattingMessage) }
        for key in ["type", "name"] {
            switch object[key] {
            case nil, .null?, .string?: continue
            default: throw SwiftbaseError.badRequest(Self.typeFormattingMessage)
            }
        }
        if let type = object["type"]?.stringValue, !type.isEmpty, CollectionModel.Kind(rawValue: type) == nil {
            throw SwiftbaseError.validation("Failed to create collection.", .items(["type": .inInvalid]))
        }
        return try CollectionModel(json: object)
    }

    /// Creates `input` inside a write transaction whose stored schema is `snapshot`.
    static func create(_ input: CollectionModel, in snapshot: SchemaSnapshot, on conn: any StoreConnection) throws
        -> CollectionModel
    {
        var collection = CollectionDefaults.completingNew(input, in: snapshot)
        let view = Self.inferView(&collection, in: snapshot, on: conn)
        try Self.validate(collection, previous: nil, in: snapshot, failure: "Failed to create collection.", view: view)
        try CollectionRepository.insert(collection, on: conn)
        try Self.createStorage(collection, view: view, on: conn, failure: "Failed to create collection.")
        try CollectionRepository.recordChange(
            collectionId: collection.id, action: "create", before: nil, after: collection, on: conn)
        return collection
    }

    // MARK: - Update

    /// Applies a partial update: sent keys replace stored ones; a sent `fields` array replaces the field
    /// list, with fields matched by `id` so renames keep their data.
    public func update(_ idOrName: String, with patch: JSONValue) async throws -> CollectionModel {
        guard let patchObject = patch.objectValue else { throw SwiftbaseError.badRequest(Self.formattingMessage) }
        return try await mutate { conn, snapshot in try Self.update(idOrName, with: patchObject, in: snapshot, on: conn) }
    }

    /// A sent option over the stored one as PocketBase (Go's JSON decoding over the stored struct) takes it:
    /// objects merge key by key (`{"oauth2": {"enabled": true}}` keeps the providers), anything else replaces.
    static func decoded(_ sent: JSONValue, over stored: JSONValue?) -> JSONValue {
        guard case .object(let patch) = sent, case .object(var result)? = stored else { return sent }
        for (key, value) in patch { result[key] = decoded(value, over: result[key]) }
        return .object(result)
    }

    /// Applies `patchObject` inside a write transaction whose stored schema is `snapshot`.
    static func update(
        _ idOrName: String, with patchObject: [String: JSONValue], in snapshot: SchemaSnapshot, on conn: any StoreConnection
    ) throws -> CollectionModel {
        guard let old = snapshot.collection(idOrName) else { throw SwiftbaseError.notFound() }
        var merged = old.json.objectValue ?? [:]
        for (key, value) in patchObject where key != "id" && key != "created" && key != "updated" {
            merged[key] = Self.decoded(value, over: merged[key])
        }
        var collection = try CollectionModel(json: merged)
        collection.id = old.id
        collection.created = old.created
        collection.updated = DateTime.now()
        if var auth = collection.auth, let oldAuth = old.auth {
            auth.keepSecrets(of: oldAuth, unlessSentIn: patchObject)
            auth.fillOAuth2ClientSecrets(oldAuth.oauth2ClientSecrets)
            // A new authRule logs everyone out, as PocketBase rotates the auth secret with it.
            if auth.authRule != oldAuth.authRule, (patchObject["authToken"]?["secret"]?.stringValue ?? "").isEmpty {
                auth.setSecret(SystemCollections.newSecret(), for: .auth)
            }
            collection.auth = auth
        }
        collection = CollectionDefaults.completingUpdate(collection, previous: old, in: snapshot)
        let view = Self.inferView(&collection, in: snapshot, on: conn)
        try Self.validate(
            collection, previous: old, in: snapshot, failure: "Failed to update collection.", view: view)
        try CollectionRepository.update(collection, on: conn)
        do {
            try Self.migrateStorage(from: old, to: collection, view: view, on: conn, failure: "Failed to update collection.")
        } catch let error as SwiftbaseError {
            throw error
        } catch {
            // SQLite refused the table change (a view reads a dropped column, say): PocketBase's 400.
            throw SwiftbaseError.badRequest(
                "Failed to update collection. Raw error: \n\(StoreErrorText.message(of: error)).")
        }
        try CollectionRepository.recordChange(
            collectionId: collection.id, action: "update", before: old, after: collection, on: conn)
        if collection.type != .view { try Self.resaveViews(except: collection.id, on: conn, strict: false) }
        return collection
    }

    // MARK: - Delete and truncate

    public func delete(_ idOrName: String) async throws {
        _ = try await mutate { conn, snapshot in try Self.delete(idOrName, in: snapshot, on: conn) }
    }

    /// Drops a collection inside a write transaction whose stored schema is `snapshot`.
    @discardableResult
    static func delete(_ idOrName: String, in snapshot: SchemaSnapshot, on conn: any StoreConnection) throws
        -> CollectionModel
    {
        guard let collection = snapshot.collection(idOrName) else { throw SwiftbaseError.notFound() }
        if collection.system { throw SwiftbaseError.badRequest("Failed to delete collection.") }
        let referencing = snapshot.references(to: collection.id).filter { $0.collection.id != collection.id }
        if let first = referencing.first {
            throw SwiftbaseError.badRequest(
                "Failed to delete collection probably due to existing reference in \(first.collection.name).")
        }
        try Self.dropStorage(collection, on: conn)
        try CollectionRepository.delete(id: collection.id, on: conn)
        // A view that reads the dropped table would be left broken: refuse, as PocketBase does.
        try Self.resaveViews(except: collection.id, on: conn, strict: true)
        try CollectionRepository.recordChange(
            collectionId: collection.id, action: "delete", before: collection, after: nil, on: conn)
        return collection
    }

    // MARK: - Import

    /// Upserts every collection in `list` (matched by id, then name) in one transaction; with
    /// `deleteMissing`, non-system collections absent from the list are dropped.
    public func importCollections(_ list: [JSONValue], deleteMissing: Bool) async throws {
        let failure = SwiftbaseError.validation(
            "Failed to import collections.",
            .items(["collections": ErrorItem("validation_collections_import_failure", "Failed to import the collections configuration.")]))
        _ = try await mutate { conn, initial -> Bool in
            var snapshot = initial
            var imported: Set<String> = []
            do {
                for item in list {
                    guard let object = item.objectValue else { throw failure }
                    var incoming = try CollectionModel(json: object)
                    let existing = snapshot.collection(incoming.id.isEmpty ? incoming.name : incoming.id)
                        ?? snapshot.collection(incoming.name)
                    if let old = existing {
                        incoming.id = old.id
                        incoming.created = old.created
                        incoming.updated = DateTime.now()
                        if incoming.auth != nil, let oldAuth = old.auth {
                            incoming.auth?.keepSecrets(of: oldAuth, unlessSentIn: object)
                        }
                        incoming = CollectionDefaults.completingUpdate(incoming, previous: old, in: snapshot)
                        let view = Self.inferView(&incoming, in: snapshot, on: conn)
                        try Self.validate(
                            incoming, previous: old, in: snapshot, failure: "Failed to import collections.", view: view)
                        try CollectionRepository.update(incoming, on: conn)
                        try Self.migrateStorage(from: old, to: incoming, view: view, on: conn)
                        try CollectionRepository.recordChange(
                            collectionId: incoming.id, action: "update", before: old, after: incoming, on: conn)
                    } else {
                        incoming = CollectionDefaults.completingNew(incoming, in: snapshot)
                        let view = Self.inferView(&incoming, in: snapshot, on: conn)
                        try Self.validate(
                            incoming, previous: nil, in: snapshot, failure: "Failed to import collections.", view: view)
                        try CollectionRepository.insert(incoming, on: conn)
                        try Self.createStorage(incoming, view: view, on: conn)
                        try CollectionRepository.recordChange(
                            collectionId: incoming.id, action: "create", before: nil, after: incoming, on: conn)
                    }
                    imported.insert(incoming.id)
                    snapshot = try CollectionRepository.snapshot(on: conn)
                }
                if deleteMissing {
                    for collection in snapshot.collections where !collection.system && !imported.contains(collection.id) {
                        try Self.dropStorage(collection, on: conn)
                        try CollectionRepository.delete(id: collection.id, on: conn)
                        try CollectionRepository.recordChange(
                            collectionId: collection.id, action: "delete", before: collection, after: nil, on: conn)
                    }
                }
            } catch let error as SwiftbaseError where error.code == .badRequest {
                throw failure
            }
            return true
        }
    }

    // MARK: - Dry run

    /// PocketBase's dry run of a view query: the fields a view collection would get and a sample of its
    /// records, from views made and dropped inside one transaction (nothing is saved).
    public func dryRunView(_ query: String) async throws -> (collection: CollectionModel, sample: [RecordModel]) {
        let snapshot = registry.snapshot
        return try await store.write { conn in
            let schema: ViewSchema
            do {
                schema = try ViewSchema.infer(query, in: snapshot, on: conn)
            } catch let failure as ViewSchema.Failure {
                throw SwiftbaseError.badRequest("Invalid view query. Raw error: \n\(failure.message)")
            }
            let name = "temp_view_" + Identifiers.randomString(length: 5)
            var collection = CollectionModel(name: name, type: .view, viewQuery: query)
            collection.id = Identifiers.collectionID(type: .view, name: name)
            collection.fields = schema.fields
            let rows = try conn.rows(
                SQLFragment(unsafeRaw: "SELECT * FROM (\(schema.select)) LIMIT \(ViewSchema.sampleSize)"))
            return (collection, rows.map { RecordRow.record(from: $0, in: collection) })
        }
    }

    // MARK: - Storage

    /// For a view collection: its fields inferred from its query, replacing any sent (as PocketBase does; none
    /// when SQLite refuses the query, the query's columns when it runs without an `id`), and the SELECT of its
    /// view. Nil for other collections.
    static func inferView(_ collection: inout CollectionModel, in snapshot: SchemaSnapshot, on conn: any StoreConnection)
        -> Result<ViewSchema, ViewSchema.Failure>?
    {
        guard collection.type == .view else { return nil }
        let result = Result { () throws(ViewSchema.Failure) in
            try ViewSchema.infer(collection.viewQuery ?? "", in: snapshot, on: conn)
        }
        switch result {
        case .success(let schema): collection.fields = schema.fields
        case .failure(let failure): collection.fields = failure.fields
        }
        return result
    }

    /// A table for a base or auth collection, a view for a view collection (whose query inferred `view`).
    /// `failure`: the message of the validation error an index the data refuses is reported under.
    static func createStorage(
        _ collection: CollectionModel, view: Result<ViewSchema, ViewSchema.Failure>?, on conn: any StoreConnection,
        failure: String = "Failed to save collection."
    ) throws {
        guard collection.type == .view else {
            for statement in TableDDL.createTable(collection, in: conn.dialect) { try conn.execute(statement) }
            try Self.createIndexes(of: collection, on: conn, failure: failure)
            try TimeSeriesRollups.create(collection, on: conn)
            return
        }
        // Validation refused a failed inference already.
        guard case .success(let schema) = view else { throw SwiftbaseError.badRequest() }
        do {
            try ViewSchema.create(named: collection.name, select: schema.select, on: conn)
        } catch {
            throw SwiftbaseError.validation(
                "Failed to save collection.",
                .items(["viewQuery": ErrorItem("validation_invalid_view_query", "Invalid query - \(error.message).")]))
        }
    }

    static func migrateStorage(
        from old: CollectionModel, to new: CollectionModel, view: Result<ViewSchema, ViewSchema.Failure>?,
        on conn: any StoreConnection, failure: String = "Failed to save collection."
    ) throws {
        guard new.type == .view else {
            try TimeSeriesRollups.beforeMigration(of: old, on: conn)
            for statement in TableDDL.migrateTable(from: old, to: new, in: conn.dialect) { try conn.execute(statement) }
            try Self.createIndexes(of: new, on: conn, failure: failure)
            try TimeSeriesRollups.migrate(from: old, to: new, on: conn)
            return
        }
        try dropStorage(old, on: conn)
        try createStorage(new, view: view, on: conn, failure: failure)
    }

    /// Creates the collection's indexes one by one. One the rows refuse (a unique index over values that repeat)
    /// is a validation error on that index, as PocketBase reports it, not a failed statement.
    static func createIndexes(of collection: CollectionModel, on conn: any StoreConnection, failure: String) throws {
        var errors: [String: ErrorData] = [:]
        for (i, raw) in collection.indexes.enumerated() {
            guard let index = IndexDefinition(parsing: raw) else { continue }
            do {
                try conn.execute(TableDDL.createIndex(index, of: collection))
            } catch {
                errors[String(i)] = .item(
                    ErrorItem(
                        "validation_invalid_index_expression",
                        "Failed to create index \(index.name) - \(StoreErrorText.message(of: error))."))
            }
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(failure, .fields(["indexes": .fields(errors)])) }
    }

    /// Infers every other view's fields again after a schema change, saving (and recreating) the views whose
    /// fields changed. `strict`: a view whose query no longer runs refuses the change (a delete); otherwise it is
    /// left as it is, as PocketBase only logs it after an update.
    static func resaveViews(except changedID: String, on conn: any StoreConnection, strict: Bool) throws {
        let snapshot = try CollectionRepository.snapshot(on: conn)
        func comparable(_ fields: [FieldModel]) -> [JSONValue] {
            fields.map { field in
                var json = field.json.objectValue ?? [:]
                json["id"] = nil
                return .object(json)
            }
        }
        for view in snapshot.collections where view.type == .view && view.id != changedID {
            let schema: ViewSchema
            do {
                schema = try ViewSchema.infer(view.viewQuery ?? "", in: snapshot, on: conn)
            } catch {
                if strict { throw SwiftbaseError.badRequest("Failed to delete collection.") }
                continue
            }
            guard comparable(schema.fields) != comparable(view.fields) else { continue }
            var updated = view
            updated.fields = schema.fields
            updated.updated = DateTime.now()
            try CollectionRepository.update(updated, on: conn)
            try dropStorage(view, on: conn)
            try createStorage(updated, view: .success(schema), on: conn)
            try CollectionRepository.recordChange(
                collectionId: updated.id, action: "update", before: view, after: updated, on: conn)
        }
    }

    static func dropStorage(_ collection: CollectionModel, on conn: any StoreConnection) throws {
        guard collection.type == .view else {
            for statement in TableDDL.drop(collection) { try conn.execute(statement) }
            try TimeSeriesRollups.drop(collection, on: conn)
            return
        }
        // Swiftbase before view support stored a view collection as an empty table of the same name.
        for statement in try ViewSchema.drop(named: collection.name, on: conn) { try conn.execute(statement) }
    }

    // MARK: - Helpers

    static let formattingMessage = "Failed to load the submitted data due to invalid formatting."
    static let typeFormattingMessage = "Failed to load the collection type data due to invalid formatting."

    /// Runs a schema change in one write transaction against the schema as stored, then publishes the result.
    func mutate<T: Sendable>(
        _ body: @escaping @Sendable (any StoreConnection, SchemaSnapshot) throws -> T
    ) async throws -> T {
        let (result, generation, snapshot) = try await store.write { conn in
            let before = try CollectionRepository.snapshot(on: conn)
            let result = try body(conn, before)
            let after = try CollectionRepository.snapshot(on: conn)
            return (result, try Self.generation(on: conn), after)
        }
        registry.publish(snapshot, generation: generation)
        return result
    }

    static func generation(on conn: any StoreConnection) throws -> Int {
        Int(try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COALESCE(MAX("seq"), 0) FROM "_schemaChanges""#))?.int64Value ?? 0)
    }

    /// Field and name validation, rule syntax, and index definitions, reported together.
    static func validate(
        _ collection: CollectionModel, previous: CollectionModel?, in snapshot: SchemaSnapshot, failure: String,
        view: Result<ViewSchema, ViewSchema.Failure>? = nil
    ) throws {
        var errors: [String: ErrorData] = [:]
        if case .fields(let f) = CollectionValidator.validate(collection, previous: previous, in: snapshot) {
            errors = f
        }
        if case .failure(let problem) = view, !(collection.viewQuery ?? "").isEmpty {
            let message = "Invalid query - " + problem.message
            let sentence = [".", "!", "?"].contains(message.last.map(String.init) ?? "") ? message : message + "."
            errors["viewQuery"] = .item(ErrorItem("validation_invalid_view_query", sentence))
        }
        let ruleSnapshot = SchemaSnapshot(
            snapshot.collections.filter { $0.id != collection.id } + [collection], dialect: snapshot.dialect)
        for (key, rule) in collection.rules {
            guard let rule, !rule.isEmpty else { continue }
            if let problem = RuleValidation.check(rule, collection: collection, schema: ruleSnapshot) {
                errors[key] = .item(problem)
            }
        }
        var indexErrors: [String: ErrorData] = [:]
        var names: Set<String> = []
        var definitions: Set<String> = []
        for (i, index) in collection.indexes.enumerated() {
            guard var parsed = IndexDefinition(parsing: index),
                parsed.columns.allSatisfy({ collection.field(named: $0.name) != nil })
            else {
                indexErrors[String(i)] = .item(
                    ErrorItem("validation_invalid_index_expression", "Invalid CREATE INDEX expression."))
                break
            }
            // As PocketBase: one name per index, never the name of another collection's index, and no two
            // indexes that differ by their names alone. The first index found wrong is the one reported.
            guard names.insert(parsed.name.lowercased()).inserted else {
                indexErrors[String(i)] = .item(
                    ErrorItem("validation_duplicated_index_name", "The index name already exists."))
                break
            }
            if let owner = snapshot.collections.first(where: { other in
                other.id != collection.id
                    && other.indexes.contains { IndexDefinition(parsing: $0)?.name.lowercased() == parsed.name.lowercased() }
            }) {
                indexErrors[String(i)] = .item(
                    ErrorItem(
                        "validation_existing_index_name", "The index name is already used in \(owner.name) collection.",
                        params: ["usedTableName": .string(owner.name)]))
                break
            }
            parsed.name = ""
            guard definitions.insert(parsed.statement(onTable: "")).inserted else {
                indexErrors[String(i)] = .item(
                    ErrorItem("validation_duplicated_index_definition", "The index definition already exists."))
                break
            }
        }
        if !indexErrors.isEmpty { errors["indexes"] = .fields(indexErrors) }
        if !errors.isEmpty { throw SwiftbaseError.validation(failure, .fields(errors)) }
    }
}

extension CollectionModel {
    /// The API rules by their JSON key, for validation and display.
    public var rules: [(String, String?)] {
        var out: [(String, String?)] = [
            ("listRule", listRule), ("viewRule", viewRule), ("createRule", createRule), ("updateRule", updateRule),
            ("deleteRule", deleteRule),
        ]
        if let auth {
            out.append(("authRule", auth.authRule))
            out.append(("manageRule", auth.manageRule))
        }
        return out
    }
}
