/// Converts between table rows and records, and builds the statements that store a record.
enum RecordRow {
    /// `SELECT "posts".* …` row → record with canonical values.
    static func record(from row: StoreRow, in collection: CollectionModel) -> RecordModel {
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(collection.fields.count)
        for field in collection.fields {
            let stored = row[field.name] ?? .null
            values[field.name] = field.options.behavior.jsonValue(stored, for: field)
        }
        return RecordModel(collectionId: collection.id, collectionName: collection.name, values: values)
    }

    /// Raw stored values (passwords stay hashes), for the write path which must keep them.
    static func storedRecord(from row: StoreRow, in collection: CollectionModel) -> RecordModel {
        var record = record(from: row, in: collection)
        for field in collection.fields where field.type == "password" {
            record.values[field.name] = .string(row[field.name]?.textValue ?? "")
        }
        return record
    }

    static func insert(_ record: RecordModel, into collection: CollectionModel) -> SQLFragment {
        let columns = collection.fields.map { quoteIdentifier($0.name) }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: collection.fields.count).joined(separator: ", ")
        return SQLFragment(
            unsafeRaw: "INSERT INTO \(quoteIdentifier(collection.name)) (\(columns)) VALUES (\(placeholders))",
            arguments: sqlValues(record, collection))
    }

    static func update(_ record: RecordModel, in collection: CollectionModel) -> SQLFragment {
        let assignments = collection.fields.filter { $0.name != "id" }.map { quoteIdentifier($0.name) + " = ?" }
        let values = collection.fields.filter { $0.name != "id" }.map { field in
            field.options.behavior.sqlValue(record.values[field.name] ?? .null, for: field)
        }
        return SQLFragment(
            unsafeRaw:
                "UPDATE \(quoteIdentifier(collection.name)) SET \(assignments.joined(separator: ", ")) WHERE \"id\" = ?",
            arguments: values + [.text(record.id)])
    }

    /// `SELECT ? AS "id", ? AS "title", …` — the record as a one-row table, for rules checked before insert.
    static func asSelect(_ record: RecordModel, collection: CollectionModel) -> SQLFragment {
        let columns = collection.fields.map { "? AS " + quoteIdentifier($0.name) }.joined(separator: ", ")
        return SQLFragment(unsafeRaw: "SELECT " + columns, arguments: sqlValues(record, collection))
    }

    private static func sqlValues(_ record: RecordModel, _ collection: CollectionModel) -> [SQLValue] {
        collection.fields.map { field in
            field.options.behavior.sqlValue(record.values[field.name] ?? .null, for: field)
        }
    }
}
