import SwiftbaseCore
import Synchronization
import Testing

/// `withDeadline` answers the work's result when it comes first, nil when the time passes first — without
/// waiting for work that does not end — and passes the work's error on.
@Suite("Deadline", .timeLimit(.minutes(1)))
struct DeadlineTests {
    struct Failure: Error {}

    @Test func theWorksResultWhenItComesFirst() async throws {
        let value = try await withDeadline(.seconds(30)) { 42 }
        #expect(value == 42)
    }

    @Test func nilWhenTheTimeComesFirstAndTheWorkIsCancelled() async throws {
        let cancelled = Atomic<Bool>(false)
        // Work that never ends on its own: it waits until cancelled (the suite's time limit guards a hang).
        let value: Int? = try await withDeadline(.milliseconds(50)) {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            cancelled.store(true, ordering: .relaxed)
            return 1
        }
        #expect(value == nil)
        while !cancelled.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func theWorksErrorIsThrown() async {
        await #expect(throws: Failure.self) {
            _ = try await withDeadline(.seconds(30)) { () async throws -> Int in throw Failure() }
        }
    }
}
