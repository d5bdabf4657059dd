public import Foundation

/// Keeps the change log from growing without end: entries older than the configured age are deleted, oldest
/// first, in small write transactions (so writers wait at most one batch), never past a hold (the oldest
/// cursor a durable reader still needs). What was pruned is recorded as `prunedThrough`; a reader asking for
/// entries after an older cursor is told so (410 with the oldest seq), never handed a silent gap.
public struct ChangeLogRetention: Sendable {
    /// Where `prunedThrough` is kept (`_params`, beside the settings).
    static let paramID = "changes.prunedThrough"

    let store: any Store
    /// Entries deleted per write transaction.
    let batchSize: Int

    public init(store: any Store, batchSize: Int = 500) {
        self.store = store
        self.batchSize = batchSize
    }

    /// Deletes the entries created before `now - maxAgeDays`, in seq order, up to `hold` (inclusive) when
    /// given, and never past the cursor of an enabled webhook or of a function's after hooks (they still have them
    /// to deliver); answers how many.
    /// Webhook deliveries settled before the same cutoff go too. `maxAgeDays` 0 keeps everything.
    @discardableResult
    public func prune(maxAgeDays: Int, now: Date, hold: Int64? = nil) async throws -> Int {
        guard maxAgeDays > 0 else { return 0 }
        let cutoff = DateTime.format(now.addingTimeInterval(-Double(maxAgeDays) * 86_400))
        var total = 0
        let batch = batchSize
        while true {
            let deleted = try await store.write { conn in
                let webhooks = try WebhookTables.oldestEnabledCursor(on: conn)
                let functions = try FunctionTables.oldestAfterHookCursor(on: conn)
                let limit = [hold, webhooks, functions].compactMap { $0 }.min()
                return try Self.pruneBatch(before: cutoff, hold: limit, limit: batch, on: conn)
            }
            total += deleted
            if deleted < batchSize { break }
        }
        while try await store.write({ conn in try WebhookTables.pruneDeliveries(before: cutoff, limit: batch, on: conn) }) == batch {}
        return total
    }

    /// One batch: the oldest entries up to the first one that is young enough (so no hole opens in the middle
    /// of the log), at most `limit`.
    static func pruneBatch(before cutoff: String, hold: Int64?, limit: Int, on conn: any StoreConnection) throws -> Int {
        let rows = try conn.rows(
            SQLFragment(
                unsafeRaw: #"SELECT "seq", "created" FROM "_changes" ORDER BY "seq" LIMIT ?"#,
                arguments: [.integer(Int64(limit))]))
        var last: Int64?
        for row in rows {
            guard let seq = row.values[0].int64Value, let created = row.values[1].textValue, created < cutoff else { break }
            if let hold, seq > hold { break }
            last = seq
        }
        guard let last else { return 0 }
        try conn.execute(
            SQLFragment(unsafeRaw: #"DELETE FROM "_changes" WHERE "seq" <= ?"#, arguments: [.integer(last)]))
        let deleted = conn.changedRowCount
        try setPrunedThrough(last, on: conn)
        return deleted
    }

    /// What a reader behind the pruned part of the log is told: 410, with the oldest seq that may still be
    /// read as `data.after.params.oldestSeq`.
    static func gone(prunedThrough through: Int64) -> SwiftbaseError {
        SwiftbaseError(
            .gone, "The change log no longer holds the entries after this cursor.",
            data: .items([
                "after": ErrorItem(
                    "changes_pruned", "Entries up to seq \(through) were pruned; read on from seq \(through) or later.",
                    params: ["oldestSeq": .number(Double(through + 1))])
            ]))
    }

    /// The newest seq pruned so far; 0 when nothing was.
    static func prunedThrough(on conn: any StoreConnection) throws -> Int64 {
        let value = try conn.scalar(
            SQLFragment(unsafeRaw: #"SELECT "value" FROM "_params" WHERE "id" = ?"#, arguments: [.text(paramID)]))
        return value?.textValue.flatMap { Int64($0) } ?? 0
    }

    private static func setPrunedThrough(_ seq: Int64, on conn: any StoreConnection) throws {
        let now = DateTime.now()
        try conn.execute(
            SQLFragment(
                unsafeRaw: #"UPDATE "_params" SET "value" = ?, "updated" = ? WHERE "id" = ?"#,
                arguments: [.text(String(seq)), .text(now), .text(paramID)]))
        if conn.changedRowCount == 0 {
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"INSERT INTO "_params" ("id", "value", "created", "updated") VALUES (?, ?, ?, ?)"#,
                    arguments: [.text(paramID), .text(String(seq)), .text(now), .text(now)]))
        }
    }
}
