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
        if state.enqueue(job, maximumThreads: maximumThreads) == .startThread {
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

        enum Enqueued {
            case queued, startThread
        }

        /// Queues `job`; answers whether the caller should start one more thread for it. An idle thread is woken
        /// after the lock is let go, so that it does not wake only to wait for the lock the caller still holds.
        func enqueue(_ job: @escaping Job, maximumThreads: Int) -> Enqueued {
            condition.lock()
            jobs.append(job)
            let wake = idle > 0
            // More jobs waiting than idle threads to take them: one more thread, while the maximum allows.
            let start = jobs.count - head > idle && threads < maximumThreads
            if start { threads += 1 }
            condition.unlock()
            if wake { condition.signal() }
            return start ? .startThread : .queued
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
