/// The import write mode: records carried over from another store (`swiftbase import pocketbase`).
///
/// Not the normal write path, deliberately. `create` validates input, hashes a plaintext password, fills the
/// id and autodates with new values, checks the create rule and appends a change-log entry; a migration
/// must instead keep what the source stored — ids, `created`/`updated`, bcrypt hashes, token keys — byte
/// for byte, or logins, links and references break. So an import:
///
/// - converts each stored value through the field type's own reading and storing (`FieldBehavior`), so the
///   row is in Swiftbase's canonical stored form, and keeps a password field's stored hash as it is;
/// - writes through the store seam (`RecordRow.insert`, values bound), a batch per transaction;
/// - runs no rules and no hooks (nobody is acting: it is the directory's past) and does not check relations
///   (the source kept its own references; an import ordered by collection would otherwise refuse cycles);
/// - appends nothing to the change log and publishes nothing: it is a backfill, not a change. Consumers,
///   webhooks and edge replicas of the new directory start from its state after the import.
extension RecordService {
    /// Stores `rows` (column name → stored value, as the source kept them) in `collectionID`'s table in one
    /// transaction. Columns that are not fields are ignored; fields missing from a row get their zero value.
    /// A duplicate id or a unique index violation throws `StoreConstraintError` and stores none of the batch.
    public func importStored(_ rows: [StoreRow], into collectionID: String) async throws {
        let collection = try Self.writableCollection(collectionID, in: registry.snapshot)
        let records = rows.map { Self.importedRecord($0, in: collection) }
        try await store.write { conn in
            for record in records { try conn.execute(RecordRow.insert(record, into: collection)) }
        }
    }

    static func importedRecord(_ row: StoreRow, in collection: CollectionModel) -> RecordModel {
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(collection.fields.count)
        for field in collection.fields {
            let behavior = field.options.behavior
            guard let stored = row[field.name] else {
                values[field.name] = behavior.zeroValue(for: field)
                continue
            }
            if case .password = field.options {
                values[field.name] = .string(stored.textValue ?? "")
            } else {
                values[field.name] = behavior.jsonValue(stored, for: field)
            }
        }
        return RecordModel(collectionId: collection.id, collectionName: collection.name, values: values)
    }
}
