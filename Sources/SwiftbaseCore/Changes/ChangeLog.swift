/// The durable, ordered log of record changes (`_changes`). Appends happen inside the write transaction of
/// the change itself, so the log never misses a committed write and never holds a rolled-back one.
package enum ChangeLog {
    package static let tableName = "_changes"

    /// DDL for the log table; part of the system schema.
    package static func createTableSQL(in dialect: any SQLDialect) -> String {
        """
        CREATE TABLE IF NOT EXISTS "_changes" (
            "seq" \(dialect.autoincrementPrimaryKey),
            "created" TEXT NOT NULL,
            "collectionId" TEXT NOT NULL,
            "collectionName" TEXT NOT NULL,
            "recordId" TEXT NOT NULL,
            "action" TEXT NOT NULL,
            "data" JSON NOT NULL,
            "actor" TEXT NOT NULL DEFAULT ''
        )
        """
    }

    /// The newest `seq`; 0 for an empty log.
    package static func head(on connection: any StoreConnection) throws -> Int64 {
        try connection.scalar(SQLFragment(unsafeRaw: #"SELECT COALESCE(MAX("seq"), 0) FROM "_changes""#))?.int64Value ?? 0
    }

    /// Appends an entry and returns it with its `seq`.
    package static func append(
        _ action: ChangeLogEntry.Action, record: RecordModel, recordJSON: JSONValue, actor: String,
        on connection: any StoreConnection
    ) throws -> ChangeLogEntry {
        let created = DateTime.now()
        let row = try connection.row(
            SQLFragment(
                unsafeRaw: """
                    INSERT INTO "_changes" ("created", "collectionId", "collectionName", "recordId", "action", "data", "actor")
                    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING "seq"
                    """,
                arguments: [
                    .text(created), .text(record.collectionId), .text(record.collectionName), .text(record.id),
                    .text(action.rawValue), .text(recordJSON.jsonString), .text(actor),
                ]))
        return ChangeLogEntry(
            seq: row?.values.first?.int64Value ?? 0, created: created, collectionId: record.collectionId,
            collectionName: record.collectionName, recordId: record.id, action: action, record: record,
            actor: actor)
    }
}
