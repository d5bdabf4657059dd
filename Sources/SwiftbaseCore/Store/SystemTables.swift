/// The system tables every data directory has, created idempotently at start-up.
package enum SystemTables {
    /// The `CREATE … IF NOT EXISTS` statements, in `dialect`.
    package static func statements(in dialect: any SQLDialect) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS "_collections" (
                "id" TEXT PRIMARY KEY NOT NULL,
                "name" TEXT NOT NULL,
                "type" TEXT NOT NULL,
                "system" BOOLEAN NOT NULL DEFAULT FALSE,
                "json" JSON NOT NULL,
                "secrets" JSON NOT NULL DEFAULT '{}',
                "created" TEXT NOT NULL,
                "updated" TEXT NOT NULL
            )
            """,
            #"CREATE UNIQUE INDEX IF NOT EXISTS "_collections_name_idx" ON "_collections" ("#
                + dialect.caseInsensitiveIndexKey(#""name""#) + ")",
            """
            CREATE TABLE IF NOT EXISTS "_schemaChanges" (
                "seq" \(dialect.autoincrementPrimaryKey),
                "created" TEXT NOT NULL,
                "collectionId" TEXT NOT NULL,
                "action" TEXT NOT NULL,
                "before" JSON,
                "after" JSON
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS "_params" (
                "id" TEXT PRIMARY KEY NOT NULL,
                "value" JSON,
                "created" TEXT NOT NULL,
                "updated" TEXT NOT NULL
            )
            """,
            ChangeLog.createTableSQL(in: dialect),
            ConsumerService.createTableSQL,
            Migrator.createTableSQL,
            APIKeyService.createTableSQL,
            AuditLog.createTableSQL(in: dialect),
            AuditLog.indexSQL,
        ] + WebhookTables.createSQL + FunctionTables.createSQL
    }

    package static func create(on connection: any StoreConnection) throws {
        for sql in statements(in: connection.dialect) { try connection.execute(SQLFragment(unsafeRaw: sql)) }
    }
}
