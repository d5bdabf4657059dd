public import NIOCore
public import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// One event-loop thread for work that may lag but must not slow requests down — webhook delivery: its
/// workers run on it (it is their task executor) and so does their HTTP client, so a delivery's request,
/// answer and next step stay on one thread with no hop between threads, and the thread runs at the lowest
/// CPU priority (nice 19). When requests keep both cores busy, the scheduler gives it a small share and
/// deliveries fall behind — each webhook's cursor is durable, so they catch up as soon as the load eases; when
/// the machine has room, it runs at once.
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

    /// On Linux the nice value belongs to each thread, and `setpriority(PRIO_PROCESS, 0, …)` sets the calling
    /// thread's alone (setpriority(2), "Bugs"); lowering it needs no privilege.
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
    }
}
