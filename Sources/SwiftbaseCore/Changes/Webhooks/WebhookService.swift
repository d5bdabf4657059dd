import Foundation

/// Webhooks as the API manages them (`/api/webhooks`, superusers): create (the secret is answered once),
/// read, edit, delete, rotate the secret; the deliveries log, re-sending a delivery, and a test message.
/// Delivery itself is the dispatcher's (see `WebhookDispatcher`); every change here wakes it.
public struct WebhookService: Sendable {
    let dispatcher: WebhookDispatcher

    public init(dispatcher: WebhookDispatcher) {
        self.dispatcher = dispatcher
    }

    var store: any Store { dispatcher.store }

    // MARK: - Managing

    /// Creates a webhook from the API's JSON; it delivers the changes committed after `after` (default: the
    /// head now). Answers it with its secret.
    public func create(_ body: [String: JSONValue]) async throws -> Webhook {
        let now = DateTime.now()
        var webhook = Webhook(
            id: RandomString.make(length: 15, alphabet: RandomString.lowercaseAlphanumeric), name: "", url: "",
            collectionIds: [], actions: ChangeLogEntry.Action.allCases, filter: "", enabled: true, headers: [:],
            secret: WebhookSignature.newSecret(), cursor: 0, consecutiveFailures: 0, disabledReason: "", created: now,
            updated: now)
        var fields = body
        for required in ["name", "url"] where fields[required] == nil { fields[required] = .string("") }
        try WebhookInput.apply(fields, to: &webhook, schema: dispatcher.registry.snapshot)
        let after: Int64?
        switch body["after"] {
        case nil, .null?: after = nil
        case .number(let n)? where n.rounded() == n && n >= 0 && n < 9e15: after = Int64(n)
        default: throw SwiftbaseError.validation("Failed to save the webhook.", .items(["after": ErrorItem("validation_min_number", "Must be a seq, 0 or more.")]))
        }
        let created = webhook
        let stored = try await uniqueName {
            try await store.write { conn in
                var webhook = created
                let head = try ChangeLog.head(on: conn)
                webhook.cursor = min(after ?? head, head)
                let pruned = try ChangeLogRetention.prunedThrough(on: conn)
                if webhook.cursor < pruned { throw ChangeLogRetention.gone(prunedThrough: pruned) }
                try Self.insert(webhook, on: conn)
                return webhook
            }
        }
        dispatcher.reload()
        return stored
    }

    public func list() async throws -> [Webhook] {
        try await store.read { conn in try WebhookTables.webhooks(on: conn) }
    }

    public func get(_ id: String) async throws -> Webhook {
        guard let webhook = try await store.read({ conn in try WebhookTables.webhook(id, on: conn) }) else {
            throw SwiftbaseError.notFound()
        }
        return webhook
    }

    /// Applies the API's JSON over the webhook. Its delivery restarts from its saved cursor.
    public func update(_ id: String, _ body: [String: JSONValue]) async throws -> Webhook {
        let schema = dispatcher.registry.snapshot
        let now = DateTime.now()
        let updated = try await uniqueName {
            try await store.write { conn in
                guard var webhook = try WebhookTables.webhook(id, on: conn) else { throw SwiftbaseError.notFound() }
                try WebhookInput.apply(body, to: &webhook, schema: schema)
                webhook.updated = now
                try Self.save(webhook, on: conn)
                return webhook
            }
        }
        dispatcher.reload()
        return updated
    }

    public func delete(_ id: String) async throws {
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"DELETE FROM "_webhooks" WHERE "id" = ?"#, arguments: [.text(id)]))
            if conn.changedRowCount == 0 { throw SwiftbaseError.notFound() }
            try conn.execute(
                SQLFragment(unsafeRaw: #"DELETE FROM "_webhookDeliveries" WHERE "webhookId" = ?"#, arguments: [.text(id)]))
        }
        dispatcher.reload()
    }

    /// A new secret, answered with the webhook; messages from now on are signed with it only.
    public func rotateSecret(_ id: String) async throws -> Webhook {
        let secret = WebhookSignature.newSecret()
        let now = DateTime.now()
        let rotated = try await store.write { conn in
            guard var webhook = try WebhookTables.webhook(id, on: conn) else { throw SwiftbaseError.notFound() }
            webhook.secret = secret
            webhook.updated = now
            try Self.save(webhook, on: conn)
            return webhook
        }
        dispatcher.reload()
        return rotated
    }

    // MARK: - Deliveries

    /// A page of the webhook's deliveries, newest first, optionally of one status.
    package func deliveries(_ id: String, status: WebhookDelivery.Status?, paging: Paging) async throws
        -> (items: [WebhookDelivery], total: Int)
    {
        _ = try await get(id)
        return try await store.read { conn in
            var condition = #""webhookId" = ?"#
            var arguments: [SQLValue] = [.text(id)]
            if let status {
                condition += #" AND "status" = ?"#
                arguments.append(.text(status.rawValue))
            }
            let total = try conn.scalar(
                SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_webhookDeliveries" WHERE "# + condition, arguments: arguments)
            )?.int64Value ?? 0
            let rows = try conn.rows(
                SQLFragment(
                    unsafeRaw: #"SELECT * FROM "_webhookDeliveries" WHERE "# + condition
                        + #" ORDER BY "created" DESC, "seq" DESC, "id" LIMIT ? OFFSET ?"#,
                    arguments: arguments + [.integer(Int64(paging.perPage)), .integer(Int64(paging.offset))]))
            return (rows.map(WebhookDelivery.init(row:)), Int(total))
        }
    }

    /// Sends a delivery's message again now, with its `webhook-id`. A pending one is tried at once by its
    /// webhook's worker (so messages stay in order) and answered after that attempt — or here, when the
    /// webhook is disabled and has no worker; a settled one is re-sent here, and its log entry records the
    /// new attempt.
    public func retry(_ id: String, delivery deliveryId: String) async throws -> WebhookDelivery {
        let webhook = try await get(id)
        guard let delivery = try await store.read({ conn in try WebhookTables.delivery(deliveryId, webhookId: id, on: conn) })
        else { throw SwiftbaseError.notFound() }
        if delivery.status == .pending && webhook.enabled {
            return try await retryPendingNow(delivery, webhook: webhook)
        }
        let message = try await message(of: delivery)
        let attempt = await dispatcher.send(
            message, to: webhook, signer: WebhookSignature(secret: webhook.secret), settings: dispatcher.settings())
        var retried = delivery
        // A pending message of a disabled webhook that fails again stays pending: re-enabled, it goes on from there.
        let failed: WebhookDelivery.Status = delivery.status == .pending ? .pending : .failed
        retried.record(
            attempt, status: attempt.succeeded ? .succeeded : failed,
            nextAttempt: attempt.succeeded ? "" : delivery.nextAttempt, now: DateTime.format(dispatcher.clock.now))
        let saved = retried
        try await store.write { conn in try WebhookTables.update(saved, on: conn) }
        return saved
    }

    /// Sends `{"type":"webhook.test",…}` now and logs it as a delivery (with no seq).
    public func test(_ id: String) async throws -> WebhookDelivery {
        let webhook = try await get(id)
        let now = dispatcher.clock.now
        let message = WebhookMessage.test(webhookId: id, now: DateTime.format(now))
        let attempt = await dispatcher.send(
            message, to: webhook, signer: WebhookSignature(secret: webhook.secret), settings: dispatcher.settings())
        let delivery = WebhookDelivery(
            webhookId: id, message: message, attempt: attempt, status: attempt.succeeded ? .succeeded : .failed, nextAttempt: "",
            now: now)
        try await store.write { conn in try WebhookTables.insert(delivery, on: conn) }
        return delivery
    }

    // MARK: - Helpers

    /// Moves a pending delivery's next attempt to now, wakes its worker, and waits (up to the timeout and a
    /// little) for that attempt to be recorded.
    private func retryPendingNow(_ delivery: WebhookDelivery, webhook: Webhook) async throws -> WebhookDelivery {
        let (id, deliveryId) = (webhook.id, delivery.id)
        let now = DateTime.format(dispatcher.clock.now)
        try await store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_webhookDeliveries" SET "nextAttempt" = ? WHERE "id" = ? AND "status" = 'pending'"#,
                    arguments: [.text(now), .text(deliveryId)]))
        }
        dispatcher.wake(id)
        let deadline = ContinuousClock.now + .seconds(dispatcher.settings().timeout + 2)
        while ContinuousClock.now < deadline {
            let current = try await store.read { conn in try WebhookTables.delivery(deliveryId, webhookId: id, on: conn) }
            guard let current else { throw SwiftbaseError.notFound() }
            if current.attempts > delivery.attempts || current.status != .pending { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await store.read { conn in try WebhookTables.delivery(deliveryId, webhookId: id, on: conn) } ?? delivery
    }

    /// The message a delivery sent: its kept body, or for a delivered change, rebuilt from the change log.
    private func message(of delivery: WebhookDelivery) async throws -> WebhookMessage {
        if !delivery.payload.isEmpty || delivery.seq == nil {
            return WebhookMessage(id: delivery.messageId, type: delivery.type, seq: delivery.seq, body: delivery.payload)
        }
        let seq = delivery.seq ?? 0
        let page = try await store.read { conn in try ChangeFeed.read(ChangeFeedQuery(after: seq - 1, limit: 1), on: conn) }
        guard let entry = page.entries.first, entry.seq == seq else {
            throw SwiftbaseError.badRequest("The change log no longer holds this delivery's change (seq \(seq)).")
        }
        return WebhookMessage(change: entry, webhookId: delivery.webhookId)
    }

    /// Runs `body`, answering a duplicate name as PocketBase's `validation_not_unique` on `name`.
    private func uniqueName<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreConstraintError where error.kind == .unique {
            throw SwiftbaseError.validation("Failed to save the webhook.", .items(["name": .notUnique]))
        }
    }

    private static func insert(_ webhook: Webhook, on conn: any StoreConnection) throws {
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    INSERT INTO "_webhooks" ("id", "name", "url", "collections", "actions", "filter", "enabled", "headers",
                    "secret", "cursor", "consecutiveFailures", "disabledReason", "created", "updated")
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [.text(webhook.id)] + columns(webhook) + [.text(webhook.created), .text(webhook.updated)]))
    }

    private static func save(_ webhook: Webhook, on conn: any StoreConnection) throws {
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    UPDATE "_webhooks" SET "name" = ?, "url" = ?, "collections" = ?, "actions" = ?, "filter" = ?,
                    "enabled" = ?, "headers" = ?, "secret" = ?, "cursor" = ?, "consecutiveFailures" = ?,
                    "disabledReason" = ?, "updated" = ? WHERE "id" = ?
                    """,
                arguments: columns(webhook) + [.text(webhook.updated), .text(webhook.id)]))
    }

    /// name … disabledReason, in the tables' order.
    private static func columns(_ webhook: Webhook) -> [SQLValue] {
        [
            .text(webhook.name), .text(webhook.url), .text(JSONValue.array(webhook.collectionIds.map { .string($0) }).jsonString),
            .text(JSONValue.array(webhook.actions.map { .string($0.rawValue) }).jsonString), .text(webhook.filter),
            .integer(webhook.enabled ? 1 : 0), .text(JSONValue.object(webhook.headers.mapValues { .string($0) }).jsonString),
            .text(webhook.secret), .integer(webhook.cursor), .integer(Int64(webhook.consecutiveFailures)),
            .text(webhook.disabledReason),
        ]
    }
}
