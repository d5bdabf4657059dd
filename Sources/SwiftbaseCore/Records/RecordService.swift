import Foundation

/// The one write path for records, and their reads. Every create, update and delete validates the
/// fields, decides the collection's rule for the requester, writes the row and appends its change-log
/// entry in one transaction, then publishes the entry on the event bus after commit.
public final class RecordService: Sendable {
    public let store: any Store
    public let registry: SchemaRegistry
    public let events: EventBus
    public let passwords: any PasswordHasher
    /// Where uploads are stored; without one, file parts are ignored.
    public let files: (any FileStore)?
    /// The app's record hooks, run by every write (see `RecordHooks`).
    public let hooks: RecordHooks
    /// Views by id that need no rule, answered from memory while the store is unchanged.
    let viewCache: RecordViewCache

    public init(
        store: any Store, registry: SchemaRegistry, events: EventBus, passwords: any PasswordHasher,
        files: (any FileStore)? = nil, hooks: RecordHooks = RecordHooks()
    ) {
        self.store = store
        self.registry = registry
        self.events = events
        self.passwords = passwords
        self.files = files
        self.hooks = hooks
        self.viewCache = RecordViewCache(store: store)
    }

    // MARK: - Create

    public func create(in collectionIDOrName: String, input: RecordInput, request: RequestInfo) async throws
        -> RecordModel
    {
        // A create always answers its record.
        try await perform(prepareCreate(in: collectionIDOrName, input: input, request: request))!
    }

    /// The create, prepared for a transaction (see `RecordWrite`).
    public func prepareCreate(in collectionIDOrName: String, input: RecordInput, request: RequestInfo) async throws
        -> RecordWrite
    {
        let schema = registry.snapshot
        let collection = try Self.writableCollection(collectionIDOrName, in: schema)
        let auth = request.auth
        if collection.createRule == nil && !auth.isSuperuser { throw Self.superusersOnly(collection, .create) }
        let failure = "Failed to create record."
        let input = try await hooks.runRequest(.create, collection: collection, recordId: nil, input: input, request: request)

        var record = Self.zeroRecord(collection)
        var ruleBody = RecordInputApplier.apply(input, to: &record, collection: collection, auth: auth)
        // Only `verified` needs manager rights on create, so the manageRule is evaluated only when it is sent.
        var isManager = auth.isSuperuser
        if !isManager, input.values["verified"]?.boolValue == true {
            isManager = try await manages(record, in: collection, request: request, isNew: true)
        }
        let authInput = try await AuthRecordInput.prepare(
            input, existing: nil, collection: collection, isManager: isManager, passwords: passwords, failure: failure)
        authInput.apply(to: &record, ruleBody: &ruleBody, collection: collection)
        Self.fillGenerated(&record, collection: collection, isNew: true)
        let filePlan = RecordFiles.plan(input, collection: collection, auth: auth)
        RecordFiles.apply(filePlan, to: &record, input: input, collection: collection)
        for name in filePlan.fieldNames { ruleBody[name] = record.values[name] }
        let fileErrors = filePlan.errors.merging(
            RecordFiles.invalidNames(record, previous: nil, plan: filePlan, collection: collection)) { a, _ in a }
        let staged = try await stage(
            filePlan, in: record, collection: collection, unless: !fileErrors.isEmpty, failure: failure)

        var ruleRequest = request
        ruleRequest.body = ruleBody.merging(authInput.ruleBody) { a, _ in a }
        let (prepared, known) = (record, authInput.fieldErrors.merging(fileErrors) { a, _ in a })
        let context = CreateContext(
            collection: collection, schema: schema, request: ruleRequest, failure: failure, hooks: hooks)
        return RecordWrite(failure: failure, staged: staged) { conn in
            try Self.insert(prepared, context: context, known: known, on: conn)
        }
    }

    /// What the transactional half of a create needs besides the record.
    struct CreateContext: Sendable {
        let collection: CollectionModel
        let schema: SchemaSnapshot
        /// The request as the create rule sees it (`body` resolved).
        let request: RequestInfo
        let failure: String
        let hooks: RecordHooks
    }

    /// The transactional half of a create: the write hooks, validation (with the problems `known` before the
    /// transaction), the create rule, the row and its change-log entry.
    static func insert(
        _ prepared: RecordModel, context: CreateContext, known: [String: ErrorItem], on conn: any StoreConnection
    ) throws -> RecordWriteResult {
        let (collection, schema, request, failure) = (context.collection, context.schema, context.request, context.failure)
        var event = RecordWriteEvent(
            action: .create, collection: collection, record: prepared, original: nil, request: request,
            connection: conn, failure: failure)
        try context.hooks.runWrite(&event)
        let stored = event.record
        try validate(stored, collection: collection, schema: schema, on: conn, failure: failure, known: known)
        let auth = request.auth
        if !auth.isSuperuser, let rule = collection.createRule,
            let check = try newRecordCheck(rule, record: stored, collection: collection, schema: schema, request: request)
        {
            guard try conn.row(check) != nil else {
                throw SwiftbaseError.badRequest(failure).audited("rule.denied", target: "\(collection.name) create")
            }
        }
        try conn.execute(RecordRow.insert(stored, into: collection))
        if let layout = TimeSeriesLayout(collection) {
            // Points keep no change log (see `RecordService+Points`): their rollups are the record of them.
            try TimeSeriesRollups.added(
                TimeSeriesRollups.point(stored, layout: layout).map { [$0] } ?? [], layout: layout, on: conn)
            return RecordWriteResult(record: withoutSecrets(stored, collection: collection), entries: [])
        }
        let output = RecordEncoder.json(stored, collection: collection, auth: .superuserSystem)
        let entry = try ChangeLog.append(.create, record: stored, recordJSON: output, actor: auth.record?.id ?? "", on: conn)
        return RecordWriteResult(record: withoutSecrets(stored, collection: collection), entries: [entry])
    }

    // MARK: - Shared helpers

    /// Writes the planned uploads that end up in `record` to storage before its transaction (removed again
    /// if it does not commit). Nothing is written when the write is bound to fail (`skip`). The store may be the
    /// disk or an S3 bucket.
    func stage(
        _ plan: RecordFilePlan, in record: RecordModel, collection: CollectionModel, unless skip: Bool, failure: String
    ) async throws -> [String] {
        guard let files, !skip else { return [] }
        let planned = RecordFiles.files(of: plan, in: record, collection: collection)
        guard !planned.isEmpty else { return [] }
        guard LocalFileStore.isSafeComponent(Substring(record.id)) else {
            throw SwiftbaseError.validation(failure, .items(["id": .invalidFormat]))
        }
        var written: [String] = []
        do {
            for (path, data) in planned {
                try await files.write(data, to: path)
                written.append(path)
            }
        } catch {
            for path in written { await files.remove(path) }
            throw error
        }
        return written
    }

    /// A `null` rule refusing a non-superuser, remembered by the audit log.
    static func superusersOnly(_ collection: CollectionModel, _ action: RecordAction) -> SwiftbaseError {
        SwiftbaseError.forbidden("Only superusers can perform this action.")
            .audited("rule.denied", target: "\(collection.name) \(action.rawValue)")
    }

    static func collection(_ idOrName: String, in schema: SchemaSnapshot) throws -> CollectionModel {
        guard let collection = schema.collection(idOrName) else {
            throw SwiftbaseError.notFound("Missing collection context.")
        }
        return collection
    }

    static func writableCollection(_ idOrName: String, in schema: SchemaSnapshot) throws -> CollectionModel {
        let collection = try collection(idOrName, in: schema)
        if collection.type == .view { throw SwiftbaseError.badRequest("Unsupported collection type.") }
        return collection
    }

    static func zeroRecord(_ collection: CollectionModel) -> RecordModel {
        var values: [String: JSONValue] = [:]
        for field in collection.fields { values[field.name] = field.options.behavior.zeroValue(for: field) }
        return RecordModel(collectionId: collection.id, collectionName: collection.name, values: values)
    }

    /// Autogenerated text values (the id among them) and autodates.
    static func fillGenerated(_ record: inout RecordModel, collection: CollectionModel, isNew: Bool) {
        let now = DateTime.now()
        for field in collection.fields {
            switch field.options {
            case .text(let o) where isNew && !o.autogeneratePattern.isEmpty:
                if (record.values[field.name]?.stringValue ?? "").isEmpty {
                    record.values[field.name] = .string(Identifiers.randomString(pattern: o.autogeneratePattern))
                }
            case .autodate(let o):
                if (isNew && o.onCreate) || (!isNew && o.onUpdate) { record.values[field.name] = .string(now) }
            default: break
            }
        }
    }

    /// Validates every field, relation existence included, and reports all problems at once as PocketBase
    /// does (one `data` item per failing field).
    static func validate(
        _ record: RecordModel, collection: CollectionModel, schema: SchemaSnapshot, on conn: any StoreConnection,
        failure: String, known: [String: ErrorItem] = [:]
    ) throws {
        var errors = fieldErrors(record, collection: collection).merging(known) { field, _ in field }
        for (name, item) in try relationErrors(record, collection: collection, schema: schema, on: conn)
        where errors[name] == nil {
            errors[name] = item
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(failure, .items(errors)) }
    }

    static func fieldErrors(_ record: RecordModel, collection: CollectionModel) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        for field in collection.fields {
            if case .password = field.options { continue }
            if case .autodate = field.options { continue }
            let value = record.values[field.name] ?? field.options.behavior.zeroValue(for: field)
            if let problem = field.options.behavior.validate(value, for: field) { errors[field.name] = problem }
        }
        return errors
    }

    /// Every relation id must name an existing record of the target collection.
    static func relationErrors(
        _ record: RecordModel, collection: CollectionModel, schema: SchemaSnapshot, on conn: any StoreConnection
    ) throws -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        for field in collection.fields {
            guard case .relation(let options) = field.options else { continue }
            let ids = Self.ids(in: record.values[field.name])
            guard !ids.isEmpty else { continue }
            guard let target = schema.collection(options.collectionId) else {
                errors[field.name] = .missingRelRecords
                continue
            }
            let unique = Array(Set(ids))
            let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
            let count = try conn.scalar(
                SQLFragment(
                    unsafeRaw: "SELECT COUNT(*) FROM \(quoteIdentifier(target.name)) WHERE \"id\" IN (\(placeholders))",
                    arguments: unique.map { .text($0) }))
            if count?.int64Value != Int64(unique.count) { errors[field.name] = .missingRelRecords }
        }
        return errors
    }

    /// Relation ids held by a single or multi relation value.
    static func ids(in value: JSONValue?) -> [String] {
        switch value {
        case .string(let s): s.isEmpty ? [] : [s]
        case .array(let items): items.compactMap { $0.stringValue }.filter { !$0.isEmpty }
        default: []
        }
    }

    static func withoutSecrets(_ record: RecordModel, collection: CollectionModel) -> RecordModel {
        var out = record
        for field in collection.fields where field.type == "password" { out.values[field.name] = .null }
        return out
    }
}

extension AuthContext {
    /// Swiftbase itself acting with superuser rights: the CLI, migrations, change-log payloads.
    public static let system = AuthContext(.superuser(RecordModel(collectionId: "", collectionName: "", values: [:])))

    /// Whether this is Swiftbase acting for itself (`system`), not a requester.
    public var isSystem: Bool {
        if case .superuser(let record) = identity { return record.collectionId.isEmpty && record.values.isEmpty }
        return false
    }

    static let superuserSystem = system
}
