import NIOCore
@testable import SwiftbaseServices
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Webhook delivery's thread yields to requests: it runs under `SCHED_IDLE` at nice 19, and so does a task
/// that prefers it as its executor, while the threads that created it keep their policy.
@Suite("Background event loop")
struct BackgroundEventLoopTests {
    #if os(Linux)
        @Test func itsThreadRunsAtTheIdlePolicyAndNoOtherDoes() async throws {
            let background = BackgroundEventLoop()
            let (policy, nice) = try await background.loop.submit {
                (sched_getscheduler(0), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            }.get()
            let preferring = await withTaskExecutorPreference(background) { sched_getscheduler(0) }
            let here = sched_getscheduler(0)
            await background.shutdown()
            #expect(policy == 5)  // SCHED_IDLE
            #expect(nice == 19)
            #expect(preferring == 5)
            #expect(here == SCHED_OTHER)
        }
    #endif
}
