import Foundation
import Synchronization
import Testing

@testable import SwiftbaseCore

@Suite("Login throttle")
struct LoginThrottleTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_000_000))
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
        var now: Date { time.withLock { $0 } }
    }

    func throttle(_ clock: ManualClock, perAccount: Int = 3, perIP: Int = 5) -> LoginThrottle {
        LoginThrottle(
            policy: .init(window: 60, maxFailuresPerAccount: perAccount, maxFailuresPerIP: perIP),
            now: { clock.now })
    }

    func retryAfter(_ body: () throws -> Void) -> Int? {
        do {
            try body()
            return nil
        } catch let error as SwiftbaseError {
            #expect(error.code == .tooManyRequests)
            return error.retryAfter
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func accountIsRefusedAfterItsFailuresUntilTheWindowPasses() {
        let clock = ManualClock()
        let guardian = throttle(clock)
        for _ in 0..<3 {
            #expect(retryAfter { try guardian.check(account: "users/Ann@x.io", ip: "1.1.1.1") } == nil)
            guardian.recordFailure(account: "users/Ann@x.io", ip: "1.1.1.1")
            clock.advance(10)
        }
        // case-insensitive account key; 30 s passed since the first failure of a 60 s window
        #expect(retryAfter { try guardian.check(account: "users/ann@x.io", ip: "2.2.2.2") } == 30)
        #expect(retryAfter { try guardian.check(account: "users/bob@x.io", ip: "1.1.1.1") } == nil)
        clock.advance(31)
        #expect(retryAfter { try guardian.check(account: "users/ann@x.io", ip: "2.2.2.2") } == nil)
    }

    @Test func successClearsTheAccountButNotTheIP() {
        let clock = ManualClock()
        let guardian = throttle(clock, perAccount: 2, perIP: 4)
        for name in ["a", "a", "b", "b"] {
            guardian.recordFailure(account: name, ip: "9.9.9.9")
            if name == "a" { guardian.recordSuccess(account: "a") }
        }
        #expect(retryAfter { try guardian.check(account: "a", ip: "8.8.8.8") } == nil)
        #expect(retryAfter { try guardian.check(account: "b", ip: "8.8.8.8") } != nil)
        // four failures from one IP across accounts: the IP is refused for any account
        #expect(retryAfter { try guardian.check(account: "c", ip: "9.9.9.9") } != nil)
    }

    @Test func memoryStaysBounded() {
        let clock = ManualClock()
        let guardian = LoginThrottle(policy: .init(window: 60), capacity: 100, now: { clock.now })
        for i in 0..<1_000 { guardian.recordFailure(account: "acct\(i)", ip: "") }
        // the newest keys survive eviction, the stalest are forgotten
        for _ in 0..<9 { guardian.recordFailure(account: "acct999", ip: "") }
        #expect(retryAfter { try guardian.check(account: "acct999", ip: "") } != nil)
        #expect(retryAfter { try guardian.check(account: "acct0", ip: "") } == nil)
    }
}
