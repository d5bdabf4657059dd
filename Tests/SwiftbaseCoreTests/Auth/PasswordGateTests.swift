import Foundation
import Synchronization
import Testing

@testable import SwiftbaseCore

@Suite("Password hashing gate")
struct PasswordGateTests {
    /// A hasher that takes `delay` per call and remembers how many calls ran at once.
    final class SlowHasher: PasswordHasher {
        let delay: Duration
        let running = Atomic<Int>(0)
        let mostAtOnce = Atomic<Int>(0)
        init(delay: Duration) { self.delay = delay }

        func hash(_ password: String, cost: Int) async throws -> String {
            try await work()
            return "h:" + password
        }

        func verify(_ password: String, hash: String) async throws -> Bool {
            try await work()
            return hash == "h:" + password
        }

        private func work() async throws {
            let now = running.add(1, ordering: .relaxed).newValue
            mostAtOnce.max(now, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            try await Task.sleep(for: delay)
        }
    }

    @Test func atMostRunningHashesAtOnceAndTheRestRefusedPastTheLine() async {
        let base = SlowHasher(delay: .milliseconds(150))
        let hasher = GatedPasswordHasher(base, gate: WorkGate(running: 2, waiting: 4))
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 0..<20 {
                group.addTask {
                    do {
                        return try await hasher.verify("p\(i)", hash: "h:p\(i)") ? "ok" : "wrong"
                    } catch let error as SwiftbaseError {
                        #expect(error.code == .tooManyRequests && error.retryAfter == 1)
                        return "busy"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        // two run, four wait their turn; the other fourteen are told at once to come back
        #expect(outcomes.filter { $0 == "ok" }.count == 6)
        #expect(outcomes.filter { $0 == "busy" }.count == 14)
        #expect(base.mostAtOnce.load(ordering: .relaxed) == 2)
        #expect(hasher.gate.load == (0, 0))
    }

    @Test func aThrowingBodyGivesItsTurnBack() async throws {
        struct Failed: Error {}
        let gate = WorkGate(running: 1, waiting: 0)
        for _ in 0..<3 {
            await #expect(throws: Failed.self) { try await gate.run { throw Failed() } }
        }
        #expect(try await gate.run { 42 } == 42)
        #expect(gate.load == (0, 0))
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let gate = WorkGate(running: 1, waiting: 1)
        let release = AsyncStream<Void>.makeStream()
        let holder = Task { try await gate.run { for await _ in release.stream { break } } }
        while gate.load.active == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let waiter = Task { try await gate.run { "ran" } }
        while gate.load.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        // the line is full: a third caller is refused
        await #expect(throws: SwiftbaseError.self) { try await gate.run { "never" } }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.load == (1, 0))
        release.continuation.yield()
        try await holder.value
        #expect(gate.load == (0, 0))
        #expect(try await gate.run { "free" } == "free")
    }

    @Test func theServerGateScalesWithTheCores() {
        let gate = WorkGate.passwordHashing(cores: 2)
        #expect(gate.running == 4 && gate.waiting == 128)
        #expect(WorkGate.passwordHashing(cores: 0).running == 2)
    }
}
