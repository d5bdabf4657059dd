import Foundation
import Logging

/// Delivers one webhook's messages strictly in `seq` order, one at a time: first a pending delivery (a
/// message waiting for its next retry, possibly left by the previous run), then the matching changes after
/// the cursor. Each attempt is handed with the cursor to the dispatcher's `WebhookJournalSaver`, which
/// commits every webhook's journal together a few times a second — a crash before that commit sends those
/// messages again (at-least-once, same `webhook-id`), never skips one. A failed attempt becomes a pending
/// delivery with its next attempt's time, and nothing after it goes until it is committed and then succeeds
/// or fails for good.
struct WebhookWorker {
    let dispatcher: WebhookDispatcher
    let webhook: Webhook
    let signal: WakeSignal
    let signer: WebhookSignature?
    /// Every change at or before it is delivered, failed for good, or a pending delivery.
    var cursor: Int64
    var failures: Int
    /// The cursor last handed to the saver.
    var handedCursor: Int64
    /// Set while something handed in must be committed before the next message goes (a pending delivery).
    var mustCommit = false

    /// Changes read per page.
    static let pageSize = 200
    /// How long an idle worker sleeps when no commit it selects wakes it.
    static let idleWait = Duration.seconds(5)

    init(dispatcher: WebhookDispatcher, webhook: Webhook, signal: WakeSignal) {
        self.dispatcher = dispatcher
        self.webhook = webhook
        self.signal = signal
        signer = WebhookSignature(secret: webhook.secret)
        cursor = webhook.cursor
        handedCursor = webhook.cursor
        failures = webhook.consecutiveFailures
    }

    mutating func run() async {
        while !Task.isCancelled {
            do {
                guard try await step() else { break }
            } catch {
                dispatcher.logger.error(
                    "webhook delivery failed", metadata: ["sb.webhook": "\(webhook.name)", "sb.error": "\(error)"])
                await signal.wait(timeout: .seconds(1))
            }
        }
        // The cancellation that ended the loop must not cancel the save of what was delivered.
        let final = self
        await Task {
            var worker = final
            do { try await worker.commit() } catch {
                worker.dispatcher.logger.error("saving webhook progress failed", metadata: ["sb.error": "\(error)"])
            }
        }.value
    }

    /// Delivers what is next; false when the webhook was disabled.
    mutating func step() async throws -> Bool {
        let id = webhook.id
        if mustCommit { try await commit() }
        if let pending = try await dispatcher.store.read({ conn in try WebhookTables.oldestPending(webhookId: id, on: conn) }) {
            return try await retry(pending)
        }
        let (page, full) = try await nextMatches()
        if page.entries.isEmpty {
            cursor = max(cursor, page.next)
            if full { return true }
            if cursor != handedCursor { hand(nil) }
            // Commits this webhook selects wake it; the timeout lets its cursor follow the others too.
            await signal.wait(timeout: Self.idleWait)
            return true
        }
        for entry in page.entries {
            let message = WebhookMessage(change: entry, webhookId: webhook.id)
            let settings = dispatcher.settings()
            let attempt = await dispatcher.send(message, to: webhook, signer: signer, settings: settings)
            if Task.isCancelled { return true }  // abandoned: it goes again after the restart
            let now = dispatcher.clock.now
            cursor = entry.seq
            if attempt.succeeded {
                failures = 0
                let backlog = hand(.insert(WebhookDelivery(webhookId: webhook.id, message: message, attempt: attempt, status: .succeeded, nextAttempt: "", now: now)))
                dispatcher.observer.settled(.succeeded)
                if let created = DateTime.parse(entry.created) {
                    dispatcher.observer.delivered(.milliseconds(Int64(max(0, now.timeIntervalSince(created)) * 1000)))
                }
                if backlog {
                    // Nothing more goes until the backlog is stored (when the store keeps failing, memory stays bounded).
                    mustCommit = true
                    try await commit()
                }
            } else if let delay = settings.delay(afterAttempt: 1) {
                hand(.insert(WebhookDelivery(webhookId: webhook.id, message: message, attempt: attempt, status: .pending, nextAttempt: DateTime.format(now + delay.timeInterval), now: now)))
                mustCommit = true
                try await commit()
                return true  // the next step retries it
            } else {
                failures += 1
                hand(.insert(WebhookDelivery(webhookId: webhook.id, message: message, attempt: attempt, status: .failed, nextAttempt: "", now: now)))
                dispatcher.observer.settled(.failed)
                if try await disableIfFailing(settings) { return false }
            }
        }
        cursor = max(cursor, page.next)
        return true
    }

    /// Tries a pending delivery at its time until it succeeds or runs out of retries; false when that
    /// disabled the webhook.
    mutating func retry(_ pending: WebhookDelivery) async throws -> Bool {
        var delivery = pending
        let id = webhook.id
        while !Task.isCancelled {
            let now = dispatcher.clock.now
            if let next = DateTime.parse(delivery.nextAttempt), next > now {
                await signal.wait(timeout: .milliseconds(Int64(next.timeIntervalSince(now) * 1000) + 1))
                // A manual retry may have moved the time, or settled the delivery.
                let deliveryId = delivery.id
                guard let fresh = try await dispatcher.store.read({ conn in try WebhookTables.delivery(deliveryId, webhookId: id, on: conn) }),
                    fresh.status == .pending
                else { return true }
                delivery = fresh
                continue
            }
            let settings = dispatcher.settings()
            let message = WebhookMessage(id: delivery.messageId, type: delivery.type, seq: delivery.seq, body: delivery.payload)
            let attempt = await dispatcher.send(message, to: webhook, signer: signer, settings: settings)
            if Task.isCancelled { return true }
            let after = dispatcher.clock.now
            if attempt.succeeded {
                delivery.record(attempt, status: .succeeded, nextAttempt: "", now: DateTime.format(after))
                failures = 0
                if let committed = Self.changeTime(of: message) {
                    dispatcher.observer.delivered(.milliseconds(Int64(max(0, after.timeIntervalSince(committed)) * 1000)))
                }
            } else if let delay = settings.delay(afterAttempt: delivery.attempts + 1) {
                delivery.record(attempt, status: .pending, nextAttempt: DateTime.format(after + delay.timeInterval), now: DateTime.format(after))
            } else {
                delivery.record(attempt, status: .failed, nextAttempt: "", now: DateTime.format(after))
                failures += 1
            }
            dispatcher.journal.hand(.update(delivery), webhookId: id, cursor: nil, consecutiveFailures: failures)
            mustCommit = true
            try await commit()
            if delivery.status != .pending { dispatcher.observer.settled(delivery.status) }
            switch delivery.status {
            case .pending: continue
            case .succeeded: return true
            case .failed: return try await !disableIfFailing(settings)
            }
        }
        return true
    }

    /// When a message's change was committed: its body's `timestamp`.
    static func changeTime(of message: WebhookMessage) -> Date? {
        guard let body = try? JSONValue.parse(String(decoding: message.body, as: UTF8.self)),
            let timestamp = body["timestamp"]?.stringValue
        else { return nil }
        return DateTime.parse(timestamp)
    }

    /// The next page of changes after the cursor that this webhook selects, and whether the page read was
    /// full (more may follow at once). A cursor behind the pruned part of the log (the webhook was disabled
    /// while the log was pruned) jumps to the oldest entry kept, and the audit log says what was skipped.
    mutating func nextMatches() async throws -> (ChangeFeedPage, full: Bool) {
        let query = ChangeFeedQuery(
            after: cursor, collectionIds: webhook.collectionIds.isEmpty ? nil : Set(webhook.collectionIds),
            actions: Set(webhook.actions), limit: Self.pageSize)
        let filter = webhook.filter
        let registry = dispatcher.registry
        do {
            return try await dispatcher.store.read { conn in
                let page = try ChangeFeed.read(query, on: conn)
                let full = page.entries.count == query.limit
                guard !filter.isEmpty else { return (page, full) }
                let schema = registry.snapshot
                let kept = try page.entries.filter { try ConsumerService.matches($0, filter: filter, schema: schema, on: conn) }
                return (ChangeFeedPage(entries: kept, next: page.next), full)
            }
        } catch let error as SwiftbaseError where error.code == .gone {
            let pruned = try await dispatcher.store.read { conn in try ChangeLogRetention.prunedThrough(on: conn) }
            dispatcher.audit.record(
                AuditEvent(
                    event: "webhook.skipped", actor: "system", ip: "", target: webhook.id,
                    details: [
                        "name": .string(webhook.name), "fromSeq": .number(Double(cursor + 1)), "throughSeq": .number(Double(pruned)),
                        "reason": "the change log was pruned past the webhook's cursor while it was disabled",
                    ]))
            cursor = max(cursor, pruned)
            return (ChangeFeedPage(entries: [], next: cursor), true)
        }
    }

    /// Disables the webhook once `disableAfterFailures` messages in a row failed for good; answers whether it did.
    mutating func disableIfFailing(_ settings: WebhookSettings) async throws -> Bool {
        guard settings.disableAfterFailures > 0, failures >= settings.disableAfterFailures else { return false }
        try await commit()
        let reason = "Disabled after \(failures) failed messages in a row."
        let id = webhook.id
        let now = DateTime.format(dispatcher.clock.now)
        try await dispatcher.store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_webhooks" SET "enabled" = ?, "disabledReason" = ?, "updated" = ? WHERE "id" = ?"#,
                    arguments: [.integer(0), .text(reason), .text(now), .text(id)]))
        }
        dispatcher.audit.record(
            AuditEvent(
                event: "webhook.disabled", actor: "system", ip: "", target: webhook.id,
                details: ["name": .string(webhook.name), "url": .string(webhook.url), "failures": .number(Double(failures))]))
        dispatcher.logger.warning("webhook disabled", metadata: ["sb.webhook": "\(webhook.name)", "sb.failures": "\(failures)"])
        dispatcher.reload()
        return true
    }

    /// Hands `write` (if any), the cursor and the failure count to the saver; answers whether the worker
    /// should wait for a commit before it sends more.
    @discardableResult
    mutating func hand(_ write: WebhookJournalSaver.Write?) -> Bool {
        handedCursor = cursor
        return dispatcher.journal.hand(write, webhookId: webhook.id, cursor: cursor, consecutiveFailures: failures)
    }

    /// Hands the progress made and waits until everything handed so far is committed.
    mutating func commit() async throws {
        if cursor != handedCursor { hand(nil) }
        try await dispatcher.journal.commit(webhook.id)
        mustCommit = false
    }
}
