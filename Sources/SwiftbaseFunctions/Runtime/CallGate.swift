import Synchronization

/// Bounds how many calls of one plug-in run at once (``PluginOptions/maxConcurrentCalls``) without a task or a timer
/// per waiting call: a call past the bound waits as a job in the plug-in's line, and the guest thread that finishes
/// a call runs the next one in line itself, with no hand-off to another thread.
///
/// A waiting call's timeout is its call's, counted from submission: the watchdog answers it while it waits, and when
/// its turn comes it sees its interrupt and ends at once (``FunctionRuntime``).
final class CallGate: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var running = 0
        var waiting: [Job] = []
        var head = 0
    }

    /// `nil`: no bound.
    let limit: Int?
    private let state = Mutex(State())

    init(limit: Int?) {
        self.limit = limit.map { max(1, $0) }
    }

    /// Runs `job` on a thread of `pool` now, or after the calls ahead of it in line.
    func submit(_ job: @escaping Job, on pool: GuestThreadPool) {
        guard let limit else { return pool.submit(job) }
        let start = state.withLock { state -> Bool in
            guard state.running < limit else {
                state.waiting.append(job)
                return false
            }
            state.running += 1
            return true
        }
        if start { pool.submit { self.run(job) } }
    }

    /// Takes a place for a call on the caller's own thread, when one is free now.
    func tryEnter() -> Bool {
        guard let limit else { return true }
        return state.withLock { state in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
    }

    /// Gives back a place taken with ``tryEnter()``: the next call in line, if any, takes it on a thread of `pool`
    /// (the caller's thread is not a guest thread).
    func leave(handingNextTo pool: GuestThreadPool) {
        guard limit != nil, let next = nextOrLeave() else { return }
        pool.submit { self.run(next) }
    }

    /// Calls in this place waiting right now.
    var waitingCount: Int { state.withLock { $0.waiting.count - $0.head } }

    /// On a guest thread holding a place: runs `job`, then the calls in line, then gives the place back.
    private func run(_ job: Job) {
        job()
        while let next = nextOrLeave() { next() }
    }

    /// The next call in line, keeping the place for it; or `nil`, the place given back.
    private func nextOrLeave() -> Job? {
        state.withLock { state in
            guard state.head < state.waiting.count else {
                state.running -= 1
                state.waiting.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            let job = state.waiting[state.head]
            state.head += 1
            if state.head > 64, state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return job
        }
    }
}
