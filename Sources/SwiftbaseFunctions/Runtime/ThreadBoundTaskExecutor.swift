internal import Dispatch
import Synchronization

/// Runs an async body to its end on the calling thread, which blocks until the body is done and meanwhile serves
/// as the body's task executor: what the body resumes after a suspension (a store read finishing on the store's
/// own thread) comes straight back to this thread.
///
/// For host functions: they run synchronously on a guest thread, and the records API is async. A plain task runs
/// its tail on Swift's cooperative pool and then wakes the guest thread — two thread hand-offs per host call where
/// one is enough, and a wait in line behind the HTTP requests the pool is serving. Jobs that reach the executor
/// after the body has ended (an unstructured task that inherited the preference) run on a dispatch queue, so
/// nothing waits for a thread that has moved on.
///
/// Never call it from Swift's cooperative pool: it blocks the thread.
final class ThreadBoundTaskExecutor: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var finished = false
        var draining = true
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    private init() {}

    /// Runs `body` on this thread (inline until its first suspension, as `Task.immediate` does), then runs here
    /// whatever it resumes, until it returns.
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let executor = ThreadBoundTaskExecutor()
        let result = Mutex<T?>(nil)
        Task.immediate(executorPreference: executor) {
            let value = await body()
            result.withLock { $0 = value }
            executor.finish()
        }
        executor.drain()
        guard let value = result.withLock({ $0.take() }) else {
            preconditionFailure("ThreadBoundTaskExecutor: the body ended without a result")
        }
        return value
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let queued = state.withLock { state -> Bool in
            guard state.draining else { return false }
            state.jobs.append(job)
            return true
        }
        if queued {
            wake.signal()
        } else {
            DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    private func finish() {
        state.withLock { $0.finished = true }
        wake.signal()
    }

    /// Runs the jobs enqueued here, waiting for more, until the body has finished and none is left.
    private func drain() {
        while true {
            let (jobs, done) = state.withLock { state -> ([UnownedJob], Bool) in
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                if jobs.isEmpty && state.finished {
                    state.draining = false
                    return ([], true)
                }
                return (jobs, false)
            }
            if done { return }
            if jobs.isEmpty {
                wake.wait()
                continue
            }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
