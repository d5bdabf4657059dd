import Synchronization

/// A counting semaphore for tasks: `acquire` suspends (never blocks a thread) until one of `permits` is free,
/// first come first served. With one permit it is an async lock, held across awaits.
package final class AsyncSemaphore: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var free: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    package init(permits: Int) {
        state = Mutex(State(free: permits))
    }

    /// Takes a permit, waiting at most `timeout` (forever when nil) and not past cancellation; answers whether
    /// it got one (then `release` it).
    package func acquire(timeout: Duration? = nil) async -> Bool {
        let id = state.withLock { state -> UInt64? in
            if state.free > 0 && state.waiters.isEmpty {
                state.free -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { self?.giveUp(id) }
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    // A permit may have been released between the first check and here.
                    if state.free > 0 && state.waiters.isEmpty {
                        state.free -= 1
                        return true
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume(returning: true) }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Takes a permit if one is free right now, without waiting; answers whether it did (then `release` it).
    package func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.free > 0 && state.waiters.isEmpty else { return false }
            state.free -= 1
            return true
        }
    }

    /// Gives a permit back: to the first waiter, if any.
    package func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)
    }

    /// Runs `body` holding a permit (waiting as long as it takes).
    package func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        _ = await acquire()
        defer { release() }
        return try await body()
    }

    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
