import Logging
import Synchronization

extension AuditLog {
    /// A caller waiting for the events through `through` to be stored, woken when they are, when it must
    /// store the next batch itself, or when the write it waited for failed.
    struct Waiter {
        let through: UInt64
        let continuation: CheckedContinuation<Wake, Never>
    }

    enum Wake {
        case stored
        case lead
        case failed(any Error)
    }

    /// Returns once every event through number `through` is stored. Cheap when they already are (one lock, no
    /// suspension). Answers false when the write failed: that is logged, the events stay queued for the next
    /// flush, and the caller (a request) goes on.
    @discardableResult
    public func waitUntilStored(through: UInt64) async -> Bool {
        await settle(through: through) == nil
    }

    /// Returns once every event recorded before the call is stored (see `waitUntilStored(through:)`).
    @discardableResult
    public func waitUntilStored() async -> Bool {
        await waitUntilStored(through: state.withLock { $0.recorded })
    }

    /// The barrier: nil once the events through `through` are stored, or the error of the write that was to
    /// store them.
    func settle(through: UInt64) async -> (any Error)? {
        if state.withLock({ $0.stored >= through }) { return nil }
        let wake = await withCheckedContinuation { continuation in
            // Decided again under the lock: the flush may have ended since the check above.
            let now = state.withLock { state -> Wake? in
                if state.stored >= through { return .stored }
                if !state.flushing {
                    state.flushing = true
                    return .lead
                }
                state.waiters.append(Waiter(through: through, continuation: continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
        switch wake {
        case .stored: return nil
        case .failed(let error): return error
        case .lead: return await flushQueue()
        }
    }

    /// As the one flusher: stores the queue in one write, then wakes the waiters it covered and hands the
    /// flusher's role to the first one still waiting (or gives it up).
    private func flushQueue() async -> (any Error)? {
        let (events, dropped, through) = state.withLock { state in
            defer {
                state.events = []
                state.dropped = 0
            }
            return (state.events, state.dropped, state.recorded)
        }
        var failure: (any Error)?
        do {
            try await write(events, dropped: dropped)
        } catch {
            failure = error
            logger.error(
                "failed to store audit events; they stay queued",
                metadata: ["sb.error": "\(error)", "sb.count": "\(events.count)"])
        }
        let wakes = state.withLock { state -> [(CheckedContinuation<Wake, Never>, Wake)] in
            if let failure {
                // Put them back in front so a passing failure (a busy database) loses nothing; everyone waiting
                // hears of it, and the next flush tries again.
                state.events.insert(contentsOf: events, at: 0)
                state.dropped += dropped
                state.flushing = false
                defer { state.waiters = [] }
                return state.waiters.map { ($0.continuation, .failed(failure)) }
            }
            state.stored = max(state.stored, through)
            let stored = state.stored
            var wakes = state.waiters.filter { $0.through <= stored }.map { ($0.continuation, Wake.stored) }
            state.waiters.removeAll { $0.through <= stored }
            if state.waiters.isEmpty {
                state.flushing = false
            } else {
                wakes.append((state.waiters.removeFirst().continuation, .lead))
            }
            return wakes
        }
        for (continuation, wake) in wakes { continuation.resume(returning: wake) }
        return failure
    }

    private func write(_ events: [AuditEvent], dropped: Int) async throws {
        var batch = events
        if dropped > 0 {
            batch.append(
                AuditEvent(event: "audit.dropped", actor: "system", ip: "", target: "", details: ["count": .number(Double(dropped))]))
        }
        guard !batch.isEmpty else { return }
        let toWrite = batch
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
    }
}
