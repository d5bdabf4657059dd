import Dispatch
import Foundation
import Synchronization
import Testing

@testable import SwiftbaseFunctions

/// A host function's async work run to its end on the guest thread that waits for it.
@Suite("Thread-bound task executor", .timeLimit(.minutes(1)))
struct ThreadBoundTaskExecutorTests {
    /// The calling thread's id, comparable across threads.
    static func threadID() -> UInt64 {
        #if canImport(Darwin)
        UInt64(UInt(bitPattern: pthread_self()))
        #else
        UInt64(pthread_self())
        #endif
    }

    @Test func whatTheBodyResumesAfterASuspensionRunsOnTheWaitingThread() async throws {
        let (waiting, before, after, value) = try await Self.onAThreadOfItsOwn {
            let waiting = Self.threadID()
            let seen = Mutex<(before: UInt64, after: UInt64)>((0, 0))
            let value = ThreadBoundTaskExecutor.run { () async -> Int in
                seen.withLock { $0.before = Self.threadID() }
                // Suspends until another thread resumes it, as a store read does.
                let answer = await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                        continuation.resume(returning: 42)
                    }
                }
                seen.withLock { $0.after = Self.threadID() }
                return answer
            }
            let ids = seen.withLock { $0 }
            return (waiting, ids.before, ids.after, value)
        }
        #expect(value == 42)
        #expect(before == waiting, "the body starts on the calling thread")
        #expect(after == waiting, "and comes back to it after the suspension, not to the cooperative pool")
    }

    @Test func childTasksOfTheBodyFinishBeforeItReturns() async throws {
        let sum = try await Self.onAThreadOfItsOwn {
            ThreadBoundTaskExecutor.run { () async -> Int in
                await withTaskGroup(of: Int.self) { group in
                    for index in 1...10 {
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(1))
                            return index
                        }
                    }
                    return await group.reduce(0, +)
                }
            }
        }
        #expect(sum == 55)
    }

    @Test func aTaskTheBodyLeavesRunningStillRunsAfterTheThreadHasMovedOn() async throws {
        let done = DispatchSemaphore(value: 0)
        let value = try await Self.onAThreadOfItsOwn {
            ThreadBoundTaskExecutor.run { () async -> Int in
                // An unstructured task that may inherit the executor preference and resumes after `run` returns.
                Task {
                    try? await Task.sleep(for: .milliseconds(50))
                    done.signal()
                }
                return 7
            }
        }
        #expect(value == 7)
        let waited = try await Self.onAThreadOfItsOwn { done.wait(timeout: .now() + .seconds(10)) }
        #expect(waited == .success, "the task's resumption ran although no thread drains the executor any more")
    }

    /// Runs `body` on a thread that is not Swift's cooperative pool (`run` blocks its thread).
    static func onAThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
