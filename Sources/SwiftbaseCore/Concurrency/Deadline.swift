import Synchronization

/// Runs `work` in a task of its own and answers its result, or nil once `timeout` has passed first — without
/// waiting for the work to notice: it is cancelled and left to end on its own (a read in flight cannot be
/// interrupted, but the caller need not wait for it). For bounding what a request may take, such as one
/// GraphQL operation.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T? {
    let race = DeadlineRace<T>()
    let task = Task<Void, Never> {
        do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
    }
    let timer = Task<Void, Never> {
        try? await Task.sleep(for: timeout)
        guard !Task.isCancelled else { return }
        if race.finish(.success(nil)) { task.cancel() }
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in race.wait(continuation) }
    } onCancel: {
        task.cancel()
    }
}

/// Who answers first, the work or the timer; the continuation may be installed before or after either.
private final class DeadlineRace<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T?, any Error>)
        case finished(Result<T?, any Error>)
        case resumed
    }

    private let state = Mutex<State>(.empty)

    /// Settles the race with `result` unless it is settled; true when this call settled it.
    @discardableResult
    func finish(_ result: Result<T?, any Error>) -> Bool {
        state.withLock { state in
            switch state {
            case .empty:
                state = .finished(result)
                return true
            case .waiting(let continuation):
                state = .resumed
                continuation.resume(with: result)
                return true
            case .finished, .resumed:
                return false
            }
        }
    }

    func wait(_ continuation: CheckedContinuation<T?, any Error>) {
        state.withLock { state in
            if case .finished(let result) = state {
                state = .resumed
                continuation.resume(with: result)
            } else {
                state = .waiting(continuation)
            }
        }
    }
}
