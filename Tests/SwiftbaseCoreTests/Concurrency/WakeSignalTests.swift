import Testing

@testable import SwiftbaseCore

/// A lost wake-up would show as a wait that lasts its whole (long) timeout; the bounds below are far from both
/// that and from how long a busy test run can keep a task from being scheduled (seconds, seen in parallel runs).
struct WakeSignalTests {
    static let long = Duration.seconds(120)
    static let woken = Duration.seconds(60)

    @Test func aNotifyBeforeTheWaitReturnsItAtOnceAndIsUsedUp() async {
        let signal = WakeSignal()
        signal.notify()
        signal.notify()  // coalesces with the first
        let clock = ContinuousClock()
        let started = clock.now
        await signal.wait(timeout: Self.long)
        #expect(clock.now - started < Self.woken)
        // Used up: the next wait lasts until its timeout.
        let second = clock.now
        await signal.wait(timeout: .milliseconds(50))
        #expect(clock.now - second >= .milliseconds(50))
    }

    @Test func aNotifyWakesAWaiter() async {
        let signal = WakeSignal()
        let clock = ContinuousClock()
        let started = clock.now
        async let waited: Void = signal.wait(timeout: Self.long)
        // Whether the waiter is already parked or not yet: a notify that comes first is remembered.
        signal.notify()
        await waited
        #expect(clock.now - started < Self.woken)
    }
}
