/// The store tables behind webhooks and the statements delivery runs on them: `_webhooks` (configuration,
/// secret, durable cursor) and `_webhookDeliveries` (the deliveries log, and the retry state of pending ones).
enum WebhookTables {
    static let createSQL = [
        """
        CREATE TABLE IF NOT EXISTS "_webhooks" (
            "id" TEXT PRIMARY KEY NOT NULL,
            "name" TEXT NOT NULL UNIQUE,
            "url" TEXT NOT NULL,
            "collections" JSON NOT NULL,
            "actions" JSON NOT NULL,
            "filter" TEXT NOT NULL DEFAULT '',
            "enabled" BOOLEAN NOT NULL,
            "headers" JSON NOT NULL,
            "secret" TEXT NOT NULL,
            "cursor" INTEGER NOT NULL,
            "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
            "disabledReason" TEXT NOT NULL DEFAULT '',
            "created" TEXT NOT NULL,
            "updated" TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS "_webhookDeliveries" (
            "id" TEXT PRIMARY KEY NOT NULL,
            "webhookId" TEXT NOT NULL,
            "messageId" TEXT NOT NULL,
            "seq" INTEGER,
            "type" TEXT NOT NULL,
            "payload" TEXT NOT NULL DEFAULT '',
            "status" TEXT NOT NULL,
            "attempts" INTEGER NOT NULL,
            "responseStatus" INTEGER NOT NULL DEFAULT 0,
            "responseBody" TEXT NOT NULL DEFAULT '',
            "durationMs" REAL NOT NULL DEFAULT 0,
            "error" TEXT NOT NULL DEFAULT '',
            "nextAttempt" TEXT NOT NULL DEFAULT '',
            "created" TEXT NOT NULL,
            "updated" TEXT NOT NULL
        )
        """,
        #"CREATE INDEX IF NOT EXISTS "_webhookDeliveries_webhook_idx" ON "_webhookDeliveries" ("webhookId", "created")"#,
        // Only pending deliveries are looked up by status: a partial index costs the delivered ones nothing.
        #"CREATE INDEX IF NOT EXISTS "_webhookDeliveries_pending_idx" ON "_webhookDeliveries" ("webhookId", "seq") WHERE "status" = 'pending'"#,
    ]

    static func webhook(_ id: String, on conn: any StoreConnection) throws -> Webhook? {
        try conn.row(SQLFragment(unsafeRaw: #"SELECT * FROM "_webhooks" WHERE "id" = ?"#, arguments: [.text(id)]))
            .map(Webhook.from)
    }

    static func webhooks(on conn: any StoreConnection) throws -> [Webhook] {
        try conn.rows(SQLFragment(unsafeRaw: #"SELECT * FROM "_webhooks" ORDER BY "created", "id""#)).map(Webhook.from)
    }

    static func delivery(_ id: String, webhookId: String, on conn: any StoreConnection) throws -> WebhookDelivery? {
        try conn.row(
            SQLFragment(
                unsafeRaw: #"SELECT * FROM "_webhookDeliveries" WHERE "id" = ? AND "webhookId" = ?"#,
                arguments: [.text(id), .text(webhookId)])
        ).map(WebhookDelivery.init(row:))
    }

    /// The pending delivery of a change that goes out first (the lowest seq), if any.
    static func oldestPending(webhookId: String, on conn: any StoreConnection) throws -> WebhookDelivery? {
        try conn.row(
            SQLFragment(
                unsafeRaw: """
                    SELECT * FROM "_webhookDeliveries" WHERE "webhookId" = ? AND "status" = 'pending' AND "seq" IS NOT NULL
                    ORDER BY "seq" LIMIT 1
                    """,
                arguments: [.text(webhookId)])
        ).map(WebhookDelivery.init(row:))
    }

    static func insert(_ delivery: WebhookDelivery, on conn: any StoreConnection) throws {
        try insert([delivery], on: conn)
    }

    /// Inserts `deliveries` with few statements: rows go 32, 8 or 1 to a statement, so that three statement
    /// texts serve every count and each stays prepared in the store's statement cache.
    static func insert(_ deliveries: [WebhookDelivery], on conn: any StoreConnection) throws {
        var rest = deliveries[...]
        while !rest.isEmpty {
            let (rows, sql) = rest.count >= 32 ? (32, insert32) : rest.count >= 8 ? (8, insert8) : (1, insert1)
            try conn.execute(SQLFragment(unsafeRaw: sql, arguments: rest.prefix(rows).flatMap(\.arguments)))
            rest = rest.dropFirst(rows)
        }
    }

    private static let insert1 = insertSQL(rows: 1)
    private static let insert8 = insertSQL(rows: 8)
    private static let insert32 = insertSQL(rows: 32)

    private static func insertSQL(rows: Int) -> String {
        let columns = WebhookDelivery.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let row = "(" + Array(repeating: "?", count: WebhookDelivery.columns.count).joined(separator: ", ") + ")"
        return #"INSERT INTO "_webhookDeliveries" ("# + columns + ") VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    static func update(_ delivery: WebhookDelivery, on conn: any StoreConnection) throws {
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    UPDATE "_webhookDeliveries" SET "payload" = ?, "status" = ?, "attempts" = ?, "responseStatus" = ?,
                    "responseBody" = ?, "durationMs" = ?, "error" = ?, "nextAttempt" = ?, "updated" = ? WHERE "id" = ?
                    """,
                arguments: [
                    .text(String(decoding: delivery.payload, as: UTF8.self)), .text(delivery.status.rawValue),
                    .integer(Int64(delivery.attempts)), .integer(Int64(delivery.responseStatus)),
                    .text(delivery.responseBody), .real(delivery.durationMs), .text(delivery.error),
                    .text(delivery.nextAttempt), .text(delivery.updated), .text(delivery.id),
                ]))
    }

    /// Delivery's progress: the cursor (when given) and the failure count — never `updated`, which marks edits.
    static func saveProgress(webhookId: String, cursor: Int64?, consecutiveFailures: Int, on conn: any StoreConnection) throws {
        if let cursor {
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_webhooks" SET "cursor" = ?, "consecutiveFailures" = ? WHERE "id" = ?"#,
                    arguments: [.integer(cursor), .integer(Int64(consecutiveFailures)), .text(webhookId)]))
        } else {
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_webhooks" SET "consecutiveFailures" = ? WHERE "id" = ?"#,
                    arguments: [.integer(Int64(consecutiveFailures)), .text(webhookId)]))
        }
    }

    /// The oldest cursor of an enabled webhook: what the change log must keep after.
    static func oldestEnabledCursor(on conn: any StoreConnection) throws -> Int64? {
        try conn.scalar(SQLFragment(unsafeRaw: #"SELECT MIN("cursor") FROM "_webhooks" WHERE "enabled""#))?.int64Value
    }

    /// Deletes finished deliveries last updated before `cutoff`, at most `limit`; answers how many.
    static func pruneDeliveries(before cutoff: String, limit: Int, on conn: any StoreConnection) throws -> Int {
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    DELETE FROM "_webhookDeliveries" WHERE "id" IN (SELECT "id" FROM "_webhookDeliveries"
                    WHERE "status" != 'pending' AND "updated" < ? LIMIT ?)
                    """,
                arguments: [.text(cutoff), .integer(Int64(limit))]))
        return conn.changedRowCount
    }
}
