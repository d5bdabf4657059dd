public import Foundation
public import Logging
import Synchronization

/// The audit log (`_audit`): privileged and security events, appended in order and never updated.
///
/// `record` only enqueues and numbers the event; `waitUntilStored(through:)` is the barrier that makes it as
/// durable as the write it describes: it returns once every event up to that number is committed. The HTTP
/// layer awaits it before a response that recorded something goes out, so an answered event survives a
/// crash. Waiting callers share the work: the first becomes the flusher and stores the whole queue in one
/// write, the others wait for it (or take over the next batch), and flushes never overlap, so "stored
/// through n" is exact. The flush service stores what no request waits for (once a second and at shutdown),
/// and readers flush first so they see every event recorded before their request.
///
/// A failed write loses nothing (the events go back to the front of the queue) and fails no request: it is
/// logged and the next flush tries again. The queue is bounded: past `capacity` unstored events the oldest
/// are dropped and counted, never the process's memory.
public final class AuditLog: Sendable {
    let store: any Store
    let capacity: Int
    let logger: Logger
    let state = Mutex(State())
    private let lastRecorded = Mutex<[String: Date]>([:])

    struct State {
        var events: [AuditEvent] = []
        var dropped = 0
        /// The number of the last event recorded (events are numbered from 1).
        var recorded: UInt64 = 0
        /// Every event through this number is stored (or was dropped and counted).
        var stored: UInt64 = 0
        var flushing = false
        var waiters: [Waiter] = []
    }

    public init(store: any Store, capacity: Int = 50_000, logger: Logger = Logger(label: "swiftbase.audit")) {
        self.store = store
        self.capacity = capacity
        self.logger = logger
    }

    static func createTableSQL(in dialect: any SQLDialect) -> String {
        """
        CREATE TABLE IF NOT EXISTS "_audit" (
            "seq" \(dialect.autoincrementPrimaryKey),
            "created" TEXT NOT NULL,
            "event" TEXT NOT NULL,
            "actor" TEXT NOT NULL,
            "ip" TEXT NOT NULL DEFAULT '',
            "target" TEXT NOT NULL DEFAULT '',
            "details" JSON NOT NULL DEFAULT '{}'
        )
        """
    }
    static let indexSQL = #"CREATE INDEX IF NOT EXISTS "_audit_event_idx" ON "_audit" ("event", "seq")"#

    /// Queues `event` and answers its number, for `waitUntilStored(through:)`. The request being served (see
    /// `RequestAudit`) is told the number too.
    @discardableResult
    public func record(_ event: AuditEvent) -> UInt64 {
        let number = state.withLock { state -> UInt64 in
            state.events.append(event)
            if state.events.count > capacity {
                state.events.removeFirst(state.events.count - capacity)
                state.dropped += 1
            }
            state.recorded += 1
            return state.recorded
        }
        RequestAudit.current?.note(number)
        return number
    }

    /// Records `event` unless one with the same `key` was recorded less than `interval` seconds ago: for
    /// frequent events (an API key's use) where "when last, and from where" is what matters.
    @discardableResult
    public func record(_ event: AuditEvent, atMostEvery interval: TimeInterval, per key: String) -> UInt64? {
        let now = Date()
        let due = lastRecorded.withLock { last -> Bool in
            if let previous = last[event.event + "/" + key], now.timeIntervalSince(previous) < interval { return false }
            if last.count > 10_000 { last.removeAll() }
            last[event.event + "/" + key] = now
            return true
        }
        return due ? record(event) : nil
    }

    /// Stores every event recorded so far; throws when the write fails (the events stay queued).
    public func flush() async throws {
        if let error = await settle(through: state.withLock { $0.recorded }) { throw error }
    }

    /// A page of stored events, newest first, optionally of one event type or actor.
    package func list(_ paging: Paging, event: String?, actor: String?) async throws -> (items: [JSONValue], total: Int) {
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
