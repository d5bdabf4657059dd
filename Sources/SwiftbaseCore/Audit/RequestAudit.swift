import Synchronization

/// What the request being served has recorded in the audit log: the number of its last event, so that the
/// response waits for exactly its own events to be stored — a request that recorded nothing waits for
/// nothing, however busy the log is. Bound as a task-local around the request's handling (the HTTP error
/// middleware does it); `AuditLog.record` notes every event recorded inside it, child tasks included.
package final class RequestAudit: Sendable {
    @TaskLocal package static var current: RequestAudit?

    private let last = Atomic<UInt64>(0)

    package init() {}

    /// The number of the last event the request recorded; 0 when it recorded none.
    package var lastEvent: UInt64 { last.load(ordering: .acquiring) }

    func note(_ number: UInt64) {
        last.max(number, ordering: .acquiringAndReleasing)
    }
}
