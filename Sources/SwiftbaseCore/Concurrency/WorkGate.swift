import Synchronization

/// Bounds expensive work (bcrypt): at most `running` bodies run at once, at most `waiting` more wait for a
/// turn in arrival order, and past that the caller is refused at once with 429 and `Retry-After` rather than
/// queued. Without a bound, a burst of logins starts one blocking dispatch thread per request: the threads
/// multiply, every hash slows down, and the one that matters times out after minutes.
///
/// A waiter whose task is cancelled leaves the line (throwing `CancellationError`); a body that throws still
/// gives its turn back.
package final class WorkGate: Sendable {
    package let running: Int
    package let waiting: Int

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var active = 0
        var line: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init(running: Int, waiting: Int) {
        self.running = max(1, running)
        self.waiting = max(0, waiting)
    }

    /// Runs `body` when a turn is free, or throws 429 when `waiting` callers already wait.
    package func run<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// How many bodies run and how many wait now (for tests and metrics).
    package var load: (active: Int, waiting: Int) { state.withLock { ($0.active, $0.line.count) } }

    private enum Outcome {
        case granted, queued, refused, cancelled
    }

    private func acquire() async throws {
        let granted = state.withLock { state -> Bool in
            guard state.active < running else { return false }
            state.active += 1
            return true
        }
        if granted { return }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Decided under the lock the cancellation handler takes too: either the handler finds the
                // waiter in line, or the waiter sees the cancellation here.
                let outcome = state.withLock { state -> Outcome in
                    if Task.isCancelled { return .cancelled }
                    if state.active < running {
                        state.active += 1
                        return .granted
                    }
                    guard state.line.count < waiting else { return .refused }
                    state.line.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch outcome {
                case .queued: break
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .refused: continuation.resume(throwing: Self.busy)
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> Waiter? in
                guard let index = state.line.firstIndex(where: { $0.id == id }) else { return nil }
                return state.line.remove(at: index)
            }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    private static var busy: SwiftbaseError {
        var error = SwiftbaseError(.tooManyRequests, "The server is busy, please try again later.")
        error.retryAfter = 1
        return error
    }

    /// Hands the turn to the first waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.line.isEmpty {
                state.active -= 1
                return nil
            }
            return state.line.removeFirst()
        }
        next?.continuation.resume()
    }
}
