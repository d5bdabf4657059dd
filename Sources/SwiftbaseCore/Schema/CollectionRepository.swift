/// Reads and writes collection definitions in `_collections`. The public JSON form is stored as is; the
/// write-only token secrets of auth collections (one per `AuthTokenKind`) are kept apart in `secrets`.
package enum CollectionRepository {
    /// Every collection, in the order they were created.
    package static func loadAll(on connection: any StoreConnection) throws -> [CollectionModel] {
        let order = quoteIdentifier(connection.dialect.rowOrderColumn)
        let rows = try connection.rows(
            SQLFragment(unsafeRaw: #"SELECT "json", "secrets" FROM "_collections" ORDER BY "# + order))
        return try rows.map { row in
            let json = try JSONValue.parse(row["json"]?.textValue ?? "{}")
            var collection = try CollectionModel(json: json.objectValue ?? [:])
            if var auth = collection.auth, let secrets = try? JSONValue.parse(row["secrets"]?.textValue ?? "{}") {
                for kind in AuthTokenKind.allCases {
                    if let secret = secrets[kind.optionKey]?.stringValue { auth.setSecret(secret, for: kind) }
                }
                auth.fillOAuth2ClientSecrets((secrets[oauth2SecretsKey]?.arrayValue ?? []).map { $0.stringValue ?? "" })
                collection.auth = auth
            }
            return collection
        }
    }

    /// The schema as stored, in the connection's dialect.
    package static func snapshot(on connection: any StoreConnection) throws -> SchemaSnapshot {
        SchemaSnapshot(try loadAll(on: connection), dialect: connection.dialect)
    }

    package static func insert(_ collection: CollectionModel, on connection: any StoreConnection) throws {
        try connection.execute(
            SQLFragment(
                unsafeRaw: """
                    INSERT INTO "_collections" ("id", "name", "type", "system", "json", "secrets", "created", "updated")
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    .text(collection.id), .text(collection.name), .text(collection.type.rawValue),
                    .integer(collection.system ? 1 : 0), .text(collection.json.jsonString),
                    .text(secretsJSON(collection)), .text(collection.created), .text(collection.updated),
                ]))
    }

    package static func update(_ collection: CollectionModel, on connection: any StoreConnection) throws {
        try connection.execute(
            SQLFragment(
                unsafeRaw: """
                    UPDATE "_collections" SET "name" = ?, "type" = ?, "system" = ?, "json" = ?, "secrets" = ?, "updated" = ?
                    WHERE "id" = ?
                    """,
                arguments: [
                    .text(collection.name), .text(collection.type.rawValue), .integer(collection.system ? 1 : 0),
                    .text(collection.json.jsonString), .text(secretsJSON(collection)), .text(collection.updated),
                    .text(collection.id),
                ]))
    }

    package static func delete(id: String, on connection: any StoreConnection) throws {
        try connection.execute(SQLFragment(unsafeRaw: #"DELETE FROM "_collections" WHERE "id" = ?"#, arguments: [.text(id)]))
    }

    /// Records a schema change (a migration) beside the change itself, so a data directory's history can be read.
    package static func recordChange(
        collectionId: String, action: String, before: CollectionModel?, after: CollectionModel?,
        on connection: any StoreConnection
    ) throws {
        try connection.execute(
            SQLFragment(
                unsafeRaw: #"INSERT INTO "_schemaChanges" ("created", "collectionId", "action", "before", "after") VALUES (?, ?, ?, ?, ?)"#,
                arguments: [
                    .text(DateTime.now()), .text(collectionId), .text(action),
                    before.map { .text($0.json.jsonString) } ?? .null, after.map { .text($0.json.jsonString) } ?? .null,
                ]))
    }

    /// The OAuth2 providers' client secrets in `secrets`, by provider position.
    private static let oauth2SecretsKey = "oauth2ClientSecrets"

    private static func secretsJSON(_ collection: CollectionModel) -> String {
        guard let auth = collection.auth else { return "{}" }
        var secrets: [String: JSONValue] = [:]
        for kind in AuthTokenKind.allCases { secrets[kind.optionKey] = .string(auth.secret(for: kind)) }
        secrets[oauth2SecretsKey] = .array(auth.oauth2ClientSecrets.map(JSONValue.string))
        return JSONValue.object(secrets).jsonString
    }
}
