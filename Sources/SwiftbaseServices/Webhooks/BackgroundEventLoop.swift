public import NIOCore
public import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// One event-loop thread for work that may lag but must not slow requests down — webhook delivery: its
/// workers run on it (it is their task executor) and so does their HTTP client, so a delivery's request,
/// answer and next step stay on one thread with no hop between threads, and the thread runs at the lowest
/// CPU priority (`SCHED_IDLE`, nice 19). When requests keep both cores busy, it runs only in the moments they
/// leave and deliveries fall behind — each webhook's cursor is durable, so they catch up as soon as the load
/// eases; when the machine has room, it runs at once.
public final class BackgroundEventLoop: TaskExecutor, Sendable {
    public let group: MultiThreadedEventLoopGroup
    public let loop: any EventLoop

    public init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        loop.execute { Self.lowerThisThreadsPriority() }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }

    /// Stops the thread; call after everything running on it has ended.
    public func shutdown() async {
        try? await group.shutdownGracefully()
    }

    /// On Linux the scheduling policy and the nice value belong to each thread, and `sched_setscheduler(0, …)`
    /// and `setpriority(PRIO_PROCESS, 0, …)` set the calling thread's alone (setpriority(2), "Bugs"); lowering
    /// either needs no privilege. `SCHED_IDLE` (sched(7)) is what makes the thread yield: a thread at nice 19
    /// still keeps a core until the scheduler's wake-up granularity lets a woken request thread preempt it,
    /// while a running `SCHED_IDLE` thread is preempted by any other thread that wakes. The nice value stays
    /// as a fallback where the policy is refused.
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            var parameters = sched_param(sched_priority: 0)
            _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }

    /// `SCHED_IDLE` from `<sched.h>`, which Glibc's module map leaves out (it is a GNU extension).
    private static let schedIdle: Int32 = 5
}
