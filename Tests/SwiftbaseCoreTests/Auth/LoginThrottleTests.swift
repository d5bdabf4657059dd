import Foundation
import Synchronization
import SwiftbaseTesting
import Testing

@testable import SwiftbaseCore

@Suite("Login throttle")
struct LoginThrottleTests {
    struct Refused: Error {}

    /// A count shared by concurrent tasks.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    func throttle(_ clock: ManualClock, perAccount: Int = 3, perIP: Int = 5) -> LoginThrottle {
        LoginThrottle(
            policy: .init(window: 60, maxFailuresPerAccount: perAccount, maxFailuresPerIP: perIP),
            clock: clock.wallClock)
    }

    /// One attempt whose password is right or wrong; the Retry-After of a refusal, nil when it was evaluated.
    func retryAfter(_ guardian: LoginThrottle, _ account: String, ip: String = "", right: Bool = false) async -> Int? {
        do {
            _ = try await guardian.attempt(account: account, ip: ip, auditTarget: account) { right ? true : nil }
            return nil
        } catch let error as SwiftbaseError {
            #expect(error.code == .tooManyRequests)
            #expect(error.audit == AuditNote(event: "auth.locked", target: account))
            return error.retryAfter
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func accountIsRefusedAfterItsFailuresUntilTheWindowPasses() async {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_000_000))
        let guardian = throttle(clock)
        for _ in 0..<3 {
            #expect(await retryAfter(guardian, "users/Ann@x.io", ip: "1.1.1.1") == nil)
            clock.advance(by: 10)
        }
        // case-insensitive account key; 30 s passed since the first failure of a 60 s window
        #expect(await retryAfter(guardian, "users/ann@x.io", ip: "2.2.2.2", right: true) == 30)
        #expect(await retryAfter(guardian, "users/bob@x.io", ip: "1.1.1.1", right: true) == nil)
        clock.advance(by: 31)
        #expect(await retryAfter(guardian, "users/ann@x.io", ip: "2.2.2.2", right: true) == nil)
    }

    @Test func successClearsTheAccountButNotTheIP() async {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_000_000))
        let guardian = throttle(clock, perAccount: 2, perIP: 4)
        for name in ["a", "a", "b", "b"] {
            #expect(await retryAfter(guardian, name, ip: "9.9.9.9") == nil)
            if name == "a" { #expect(await retryAfter(guardian, "a", ip: "", right: true) == nil) }
        }
        #expect(await retryAfter(guardian, "a", ip: "8.8.8.8") == nil)
        #expect(await retryAfter(guardian, "b", ip: "8.8.8.8") != nil)
        // four failures from one IP across accounts: the IP is refused for any account
        #expect(await retryAfter(guardian, "c", ip: "9.9.9.9") != nil)
    }

    @Test func memoryStaysBounded() async {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_000_000))
        let guardian = LoginThrottle(policy: .init(window: 60), capacity: 100, clock: clock.wallClock)
        for i in 0..<1_000 { _ = await retryAfter(guardian, "acct\(i)") }
        // the newest keys survive eviction, the stalest are forgotten
        for _ in 0..<9 { _ = await retryAfter(guardian, "acct999") }
        #expect(await retryAfter(guardian, "acct999") != nil)
        #expect(await retryAfter(guardian, "acct0") == nil)
    }

    /// Sixty guesses at once, the right password last: only the first ten are evaluated (each holds its slot
    /// while it "hashes"), the other fifty — the right one among them — are refused without hashing.
    @Test func concurrentGuessesAreCountedBeforeTheyAreEvaluated() async throws {
        let guardian = LoginThrottle(policy: .init(window: 600, maxFailuresPerAccount: 10))
        let evaluated = Counter()
        let decided = Counter()  // guesses let in or refused
        @Sendable func guess(_ right: Bool) async -> String {
            do {
                let record = try await guardian.attempt(account: "users/victim", ip: "", auditTarget: "") {
                    () async throws -> Bool? in
                    decided.add()
                    evaluated.add()
                    try await Task.sleep(for: .milliseconds(200))  // a slow hasher
                    return right ? true : nil
                }
                return record == nil ? "400" : "200"
            } catch let error as SwiftbaseError where error.code == .tooManyRequests {
                decided.add()
                #expect((error.retryAfter ?? 0) >= 1)
                return "429"
            } catch {
                return "\(error)"
            }
        }
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for i in 0..<59 { group.addTask { (i, await guess(false)) } }
            // the right guess comes last, while the first wrong ones are still hashing
            while decided.count < 59 { try? await Task.sleep(for: .milliseconds(1)) }
            group.addTask { (59, await guess(true)) }
            var all: [Int: String] = [:]
            for await (i, outcome) in group { all[i] = outcome }
            return all
        }
        #expect(evaluated.count == 10)
        #expect(outcomes.values.filter { $0 == "400" }.count == 10)
        #expect(outcomes.values.filter { $0 == "429" }.count == 50)
        #expect(outcomes[59] == "429")
        #expect(guardian.inFlight(account: "users/victim") == 0)
        // locked now by ten recorded failures, right password or not
        #expect(await retryAfter(guardian, "users/victim", right: true) != nil)
    }

    @Test func attemptsThatThrowOrAreCancelledFreeTheirSlot() async throws {
        let guardian = LoginThrottle(policy: .init(window: 600, maxFailuresPerAccount: 2))
        for _ in 0..<5 {
            await #expect(throws: Refused.self) {
                _ = try await guardian.attempt(account: "a", ip: "", auditTarget: "") { () async throws -> Bool? in
                    throw Refused()
                }
            }
        }
        let cancelled = Task {
            try await guardian.attempt(account: "a", ip: "", auditTarget: "") { () async throws -> Bool? in
                try await Task.sleep(for: .seconds(30))
                return nil
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(guardian.inFlight(account: "a") == 1)
        cancelled.cancel()
        _ = await cancelled.result
        #expect(guardian.inFlight(account: "a") == 0)
        // neither a thrown nor a cancelled attempt counted as a failure: both slots are still there
        #expect(await retryAfter(guardian, "a") == nil)
        #expect(await retryAfter(guardian, "a") == nil)
        #expect(await retryAfter(guardian, "a", right: true) != nil)
    }

    @Test func attemptsUnderWayCountAgainstTheLimit() async throws {
        let guardian = LoginThrottle(policy: .init(window: 600, maxFailuresPerAccount: 1))
        let started = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let first = Task {
            try await guardian.attempt(account: "a", ip: "", auditTarget: "") { () async -> Bool? in
                started.continuation.yield()
                for await _ in release.stream { break }
                return true
            }
        }
        for await _ in started.stream { break }
        // the only slot is taken: refused at once, told to come back in a second
        #expect(await retryAfter(guardian, "a", right: true) == 1)
        release.continuation.yield()
        #expect(try await first.value == true)
        // the success freed the slot and left no failure behind
        #expect(await retryAfter(guardian, "a", right: true) == nil)
    }
}
