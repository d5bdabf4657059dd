/// Adopting the collections of another PocketBase-shaped data directory (`swiftbase import pocketbase`).
///
/// Unlike `importCollections` (PocketBase's `PUT /api/collections/import`, which keys a new collection's
/// timestamps to now and processes the list in order), adoption keeps each collection's id, timestamps and
/// token secrets as given, and is indifferent to order: relations and rules may name collections that come
/// later in the list, cycles included. Every table, index and view is still made by the same create and
/// update paths the collections API uses, inside one transaction.
extension CollectionService {
    /// A collection the adoption could not take, with the reason.
    public struct AdoptionFailure: Error, CustomStringConvertible {
        public let collection: String
        public let reason: String
        public var description: String { "collection \(collection): \(reason)" }
    }

    /// Makes the schema exactly `list` (collections as PocketBase's API answers them, secrets included):
    /// built-in collections are updated to the given definitions, the default non-system ones absent from
    /// `list` are dropped, every other collection is created. Returns the collections as stored.
    ///
    /// In three passes over one transaction: (1) base and auth collections without their relation fields,
    /// rules and indexes, so any order of references can resolve; (2) each of them updated to its full
    /// definition (the relation columns are added, the indexes made); (3) views, each retried until those it
    /// reads exist.
    @discardableResult
    public func adopt(_ list: [JSONValue]) async throws -> [CollectionModel] {
        let incoming = try list.map { json -> CollectionModel in
            let name = json["name"]?.stringValue ?? "?"
            guard let object = json.objectValue else { throw AdoptionFailure(collection: name, reason: "not an object") }
            do {
                return try CollectionModel(json: object)
            } catch {
                throw AdoptionFailure(collection: name, reason: Self.reason(error))
            }
        }
        return try await mutate { conn, initial in
            try Self.adopt(incoming, from: initial, on: conn)
        }
    }

    private static func adopt(_ incoming: [CollectionModel], from initial: SchemaSnapshot, on conn: any StoreConnection)
        throws -> [CollectionModel]
    {
        let ids = Set(incoming.map(\.id))
        for existing in initial.collections where !ids.contains(existing.id) {
            if incoming.contains(where: { $0.name == existing.name }) {
                guard !existing.system else {
                    throw AdoptionFailure(
                        collection: existing.name,
                        reason: "its id differs from Swiftbase's built-in one (\(existing.id))")
                }
            } else if existing.system {
                continue
            }
            try dropStorage(existing, on: conn)
            try CollectionRepository.delete(id: existing.id, on: conn)
            try CollectionRepository.recordChange(
                collectionId: existing.id, action: "delete", before: existing, after: nil, on: conn)
        }
        let tables = incoming.filter { $0.type != .view }
        var snapshot = try CollectionRepository.snapshot(on: conn)
        for collection in tables where snapshot.collection(collection.id) == nil {
            try create(skeleton(of: collection), exactly: collection, in: snapshot, on: conn)
            snapshot = try CollectionRepository.snapshot(on: conn)
        }
        for collection in tables {
            try complete(collection, in: snapshot, on: conn)
            snapshot = try CollectionRepository.snapshot(on: conn)
        }
        var views = incoming.filter { $0.type == .view && snapshot.collection($0.id) == nil }
        while !views.isEmpty {
            var waiting: [CollectionModel] = []
            var lastFailure: (any Error)?
            for view in views {
                do {
                    try create(view, exactly: view, in: snapshot, on: conn)
                    snapshot = try CollectionRepository.snapshot(on: conn)
                } catch {
                    waiting.append(view)
                    lastFailure = error
                }
            }
            if waiting.count == views.count, let view = waiting.first, let lastFailure {
                throw AdoptionFailure(collection: view.name, reason: reason(lastFailure))
            }
            views = waiting
        }
        return incoming.compactMap { snapshot.collection($0.id) }
    }

    /// A base or auth collection without what may reference other collections: relation fields, rules and
    /// indexes (an index may cover a relation column).
    private static func skeleton(of collection: CollectionModel) -> CollectionModel {
        var skeleton = collection
        skeleton.fields = collection.fields.filter { $0.type != "relation" }
        skeleton.indexes = []
        (skeleton.listRule, skeleton.viewRule, skeleton.createRule) = (nil, nil, nil)
        (skeleton.updateRule, skeleton.deleteRule) = (nil, nil)
        if var auth = skeleton.auth {
            (auth.authRule, auth.manageRule) = (nil, nil)
            skeleton.auth = auth
        }
        return skeleton
    }

    /// Creates `input` through the create path, keeping the timestamps of `original`.
    private static func create(
        _ input: CollectionModel, exactly original: CollectionModel, in snapshot: SchemaSnapshot,
        on conn: any StoreConnection
    ) throws {
        var collection = CollectionDefaults.completingNew(input, in: snapshot)
        (collection.created, collection.updated) = timestamps(of: original, else: collection)
        let view = inferView(&collection, in: snapshot, on: conn)
        if collection.type == .view { collection.fields = keepingFieldIDs(of: original, in: collection.fields) }
        do {
            try validate(collection, previous: nil, in: snapshot, failure: "Failed to create collection.", view: view)
            try CollectionRepository.insert(collection, on: conn)
            try createStorage(collection, view: view, on: conn)
        } catch {
            throw AdoptionFailure(collection: original.name, reason: reason(error))
        }
        try CollectionRepository.recordChange(
            collectionId: collection.id, action: "create", before: nil, after: collection, on: conn)
    }

    /// Updates the stored collection with `collection`'s id to its full definition through the update path.
    private static func complete(_ collection: CollectionModel, in snapshot: SchemaSnapshot, on conn: any StoreConnection)
        throws
    {
        guard let old = snapshot.collection(collection.id) else { return }
        var full = CollectionDefaults.completingUpdate(collection, previous: old, in: snapshot)
        (full.created, full.updated) = timestamps(of: collection, else: old)
        full.indexes = keepingIndexText(of: collection, completed: full)
        do {
            try validate(full, previous: old, in: snapshot, failure: "Failed to update collection.")
            try CollectionRepository.update(full, on: conn)
            try migrateStorage(from: old, to: full, view: nil, on: conn)
        } catch {
            throw AdoptionFailure(collection: collection.name, reason: reason(error))
        }
        try CollectionRepository.recordChange(
            collectionId: full.id, action: "update", before: old, after: full, on: conn)
    }

    /// A view's fields are inferred again from its query; each keeps the id the source gave it (PocketBase
    /// makes random ones), so the definitions stay the same.
    private static func keepingFieldIDs(of original: CollectionModel, in inferred: [FieldModel]) -> [FieldModel] {
        inferred.map { field in
            guard let given = original.fields.first(where: { $0.name == field.name && $0.type == field.type }) else {
                return field
            }
            var kept = field
            kept.id = given.id
            return kept
        }
    }

    /// The source's index statements as it wrote them, when they say what the completed ones say (the same
    /// indexes, written out in another style): tables and indexes are made from the parsed definitions anyway.
    private static func keepingIndexText(of original: CollectionModel, completed: CollectionModel) -> [String] {
        let canonical = original.indexes.map { IndexDefinition(parsing: $0)?.statement(onTable: completed.name) ?? $0 }
        return canonical == completed.indexes ? original.indexes : completed.indexes
    }

    private static func timestamps(of original: CollectionModel, else fallback: CollectionModel) -> (String, String) {
        (
            original.created.isEmpty ? fallback.created : original.created,
            original.updated.isEmpty ? fallback.updated : original.updated
        )
    }

    /// An error as one line: a validation error with its per-field items.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? SwiftbaseError else { return "\(error)" }
        guard case .fields(let fields) = error.data, !fields.isEmpty else { return error.message }
        return error.message + " " + error.data.json.jsonString
    }
}
