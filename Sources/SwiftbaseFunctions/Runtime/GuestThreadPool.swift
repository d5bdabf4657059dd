internal import Foundation

/// The threads plug-ins run on: WebAssembly calls are synchronous and may run for seconds, so they never run on
/// Swift's cooperative pool, where they would stall every other task.
///
/// Threads start lazily, up to `maximumThreads`, and then stay; jobs wait in FIFO order while all are busy. When the
/// pool is released, its threads finish the jobs queued and exit.
final class GuestThreadPool: Sendable {
    typealias Job = @Sendable () -> Void

    private let state: State
    private let maximumThreads: Int
    private let stackSize: Int

    init(maximumThreads: Int, stackSize: Int) {
        self.state = State()
        self.maximumThreads = max(1, maximumThreads)
        self.stackSize = stackSize
    }

    deinit { state.shutDown() }

    func submit(_ job: @escaping Job) {
        if state.enqueue(job, maximumThreads: maximumThreads) {
            let state = state
            let thread = Thread { state.work() }
            thread.name = "swiftbase-functions"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    /// Threads started so far.
    var threadCount: Int { state.threadCount }

    /// The queue and thread count, guarded by one condition lock that idle threads wait on.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [Job] = []
        private var head = 0
        private var threads = 0
        private var idle = 0
        private var isShutDown = false

        var threadCount: Int {
            condition.lock()
            defer { condition.unlock() }
            return threads
        }

        /// Queues `job`; returns `true` when the caller should start one more thread for it.
        func enqueue(_ job: @escaping Job, maximumThreads: Int) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            jobs.append(job)
            if idle > 0 { condition.signal() }
            // More jobs waiting than idle threads to take them: one more thread, while the maximum allows.
            guard jobs.count - head > idle, threads < maximumThreads else { return false }
            threads += 1
            return true
        }

        func shutDown() {
            condition.lock()
            isShutDown = true
            condition.broadcast()
            condition.unlock()
        }

        /// A thread's loop: take jobs until the pool shuts down with nothing queued.
        func work() {
            while let job = next() { job() }
        }

        private func next() -> Job? {
            condition.lock()
            defer { condition.unlock() }
            while head == jobs.count {
                if isShutDown {
                    threads -= 1
                    return nil
                }
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head > 64, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }
}
