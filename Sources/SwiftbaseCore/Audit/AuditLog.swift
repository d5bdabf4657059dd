public import Foundation
import Synchronization

/// The audit log (`_audit`): privileged and security events, appended in order and never updated. Writers
/// only enqueue (no request waits for a write); `flush()` stores what is queued in one transaction — the
/// flush service does it every second and at shutdown, and readers flush first so they see every event
/// recorded before their request. The queue is bounded: past `capacity` unflushed events the oldest are
/// dropped and counted, never the process's memory.
public final class AuditLog: Sendable {
    let store: any Store
    let capacity: Int
    private let queue = Mutex<(events: [AuditEvent], dropped: Int)>(([], 0))
    private let lastRecorded = Mutex<[String: Date]>([:])

    public init(store: any Store, capacity: Int = 50_000) {
        self.store = store
        self.capacity = capacity
    }

    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS "_audit" (
            "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
            "created" TEXT NOT NULL,
            "event" TEXT NOT NULL,
            "actor" TEXT NOT NULL,
            "ip" TEXT NOT NULL DEFAULT '',
            "target" TEXT NOT NULL DEFAULT '',
            "details" JSON NOT NULL DEFAULT '{}'
        )
        """
    static let indexSQL = #"CREATE INDEX IF NOT EXISTS "_audit_event_idx" ON "_audit" ("event", "seq")"#

    public func record(_ event: AuditEvent) {
        queue.withLock { state in
            state.events.append(event)
            if state.events.count > capacity {
                state.events.removeFirst(state.events.count - capacity)
                state.dropped += 1
            }
        }
    }

    /// Records `event` unless one with the same `key` was recorded less than `interval` seconds ago: for
    /// frequent events (an API key's use) where "when last, and from where" is what matters.
    public func record(_ event: AuditEvent, atMostEvery interval: TimeInterval, per key: String) {
        let now = Date()
        let due = lastRecorded.withLock { last -> Bool in
            if let previous = last[event.event + "/" + key], now.timeIntervalSince(previous) < interval { return false }
            if last.count > 10_000 { last.removeAll() }
            last[event.event + "/" + key] = now
            return true
        }
        if due { record(event) }
    }

    /// Stores every queued event. Events queued while a flush runs wait for the next one.
    public func flush() async throws {
        let (events, dropped) = queue.withLock { state -> ([AuditEvent], Int) in
            defer { state = ([], 0) }
            return (state.events, state.dropped)
        }
        var batch = events
        if dropped > 0 {
            batch.append(
                AuditEvent(event: "audit.dropped", actor: "system", ip: "", target: "", details: ["count": .number(Double(dropped))]))
        }
        guard !batch.isEmpty else { return }
        let toWrite = batch
        do {
            try await store.write { conn in
                for event in toWrite {
                    try conn.execute(
                        SQLFragment(
                            unsafeRaw: """
                                INSERT INTO "_audit" ("created", "event", "actor", "ip", "target", "details")
                                VALUES (?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                .text(event.created), .text(event.event), .text(event.actor), .text(event.ip),
                                .text(event.target), .text(event.details.jsonString),
                            ]))
                }
            }
        } catch {
            // Put them back in front so a passing failure (a busy database) loses nothing.
            queue.withLock { state in state.events.insert(contentsOf: events, at: 0) }
            throw error
        }
    }

    /// A page of stored events, newest first, optionally of one event type or actor.
    public func list(_ paging: Paging, event: String?, actor: String?) async throws -> (items: [JSONValue], total: Int) {
        try await flush()
        var conditions: [SQLFragment] = []
        if let event, !event.isEmpty { conditions.append(SQLFragment(unsafeRaw: #""event" = ?"#, arguments: [.text(event)])) }
        if let actor, !actor.isEmpty { conditions.append(SQLFragment(unsafeRaw: #""actor" = ?"#, arguments: [.text(actor)])) }
        let whereClause =
            conditions.isEmpty ? SQLFragment(unsafeRaw: "") : SQLFragment(unsafeRaw: " WHERE ") + SQLFragment.join(conditions, separator: " AND ")
        let select =
            SQLFragment(unsafeRaw: #"SELECT * FROM "_audit""#) + whereClause
            + SQLFragment(
                unsafeRaw: #" ORDER BY "seq" DESC LIMIT ? OFFSET ?"#,
                arguments: [.integer(Int64(paging.perPage)), .integer(Int64(paging.offset))])
        let count = SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "_audit""#) + whereClause
        return try await store.read { conn in
            let items = try conn.rows(select).map { row -> JSONValue in
                [
                    "id": .string(String(row["seq"]?.int64Value ?? 0)), "created": .string(row["created"]?.textValue ?? ""),
                    "event": .string(row["event"]?.textValue ?? ""), "actor": .string(row["actor"]?.textValue ?? ""),
                    "ip": .string(row["ip"]?.textValue ?? ""), "target": .string(row["target"]?.textValue ?? ""),
                    "details": (try? JSONValue.parse(row["details"]?.textValue ?? "{}")) ?? [:],
                ]
            }
            return (items, Int(try conn.scalar(count)?.int64Value ?? 0))
        }
    }
}
