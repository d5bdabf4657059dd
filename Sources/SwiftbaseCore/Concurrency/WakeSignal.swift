import Synchronization

/// Wakes one waiting task: `notify` either resumes the task in `wait` or, when none waits, is remembered so
/// the next `wait` returns at once (notifications while busy coalesce into one). For a loop that sleeps until
/// there is work, a deadline, or cancellation.
package final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    package init() {}

    package func notify() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns after a `notify` (or at once if one came since the last wait), after `timeout`, or when the
    /// task is cancelled. Only one task may wait at a time.
    package func wait(timeout: Duration? = nil) async {
        if Task.isCancelled { return }
        // A notify already waiting: return without starting a timer task (a busy loop, such as a webhook worker
        // under load, waits like this after every round; the task would be started only to be cancelled).
        let notified = state.withLock { state -> Bool in
            defer { state.pending = false }
            return state.pending
        }
        if notified { return }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { self?.notify() }
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            notify()
        }
        // A timer that fired after a notify leaves `pending` set: harmless, the next wait returns at once and
        // its caller re-checks for work.
    }
}
