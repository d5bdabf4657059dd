import Foundation
import NIOCore
import NIOPosix

/// Runs Swift Concurrency's global jobs on NIO's event loops, as the generic executor.
///
/// A request's handler then runs on the event loop that read it and writes its answer without a thread
/// switch. NIO offers this itself (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrency
/// GlobalExecutor`), but it runs each job as if on the loop's *serial* executor, so every later hop to the
/// generic executor — the entry of any nonisolated async function, each of Hummingbird's middlewares —
/// looks like a change of executor and is enqueued again: 84 `swift_task_switch` calls per `GET` of a
/// record, measured with a perf uprobe (issue 6). Run as the generic executor, those hops cost nothing.
///
/// Jobs enqueued on a loop's thread stay on that loop; others go to the next loop of the singleton group.
/// Delayed jobs (`Task.sleep`) keep Swift's default timer. Blocking work stays off the loops: bcrypt
/// runs on a dispatch queue and database writes on GRDB's writer queue.
enum EventLoopGlobalExecutor {
    /// The runtime's hook takes the job and the default implementation, two pointers. It is declared with
    /// Swift's calling convention, which passes plain pointer arguments in the C convention's registers; a
    /// C function pointer is used because Swift 6.3's region analysis crashes on a thin one.
    private typealias Hook = @convention(c) (UnsafeRawPointer, UnsafeRawPointer?) -> Void

    /// Installs the hook; false when the runtime has no hook to take (then Swift's own pool runs jobs).
    /// Call once, at the start of `main`, before any task is created.
    @discardableResult
    static func install() -> Bool {
        guard
            let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook")?
                .assumingMemoryBound(to: UnsafeRawPointer?.self),
            symbol.pointee == nil
        else { return false }
        let hook: Hook = { job, _ in scheduleGlobalJob(job) }
        symbol.pointee = unsafeBitCast(hook, to: UnsafeRawPointer.self)
        return true
    }

    fileprivate static func schedule(_ job: UnownedJob) {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        loop.execute { runOnGenericExecutor(job) }
    }

    /// The generic executor is the runtime's executor reference with no identity: two zero words.
    private static let generic = unsafeBitCast((UInt(0), UInt(0)), to: UnownedSerialExecutor.self)

    private static func runOnGenericExecutor(_ job: UnownedJob) {
        swiftJobRun(job, generic)
    }
}

/// The hook's body, outside the closure: Swift 6.3's region analysis crashes on it written inline.
private func scheduleGlobalJob(_ job: UnsafeRawPointer) {
    EventLoopGlobalExecutor.schedule(unsafeBitCast(job, to: UnownedJob.self))
}

/// The runtime entry point behind `UnownedJob.runSynchronously(on:)`, which takes only serial executors.
@_silgen_name("swift_job_run")
private func swiftJobRun(_ job: UnownedJob, _ executor: UnownedSerialExecutor)
