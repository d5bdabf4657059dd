import Testing

@testable import SwiftbaseCore

struct WakeSignalTests {
    @Test func aNotifyBeforeTheWaitReturnsItAtOnceAndIsUsedUp() async {
        let signal = WakeSignal()
        signal.notify()
        signal.notify()  // coalesces with the first
        let clock = ContinuousClock()
        let started = clock.now
        await signal.wait(timeout: .seconds(30))
        #expect(clock.now - started < .seconds(10))
        // Used up: the next wait lasts until its timeout.
        let second = clock.now
        await signal.wait(timeout: .milliseconds(50))
        #expect(clock.now - second >= .milliseconds(50))
    }

    @Test func aNotifyWakesAWaiter() async {
        let signal = WakeSignal()
        async let waited: Void = signal.wait(timeout: .seconds(30))
        // Whether the waiter is already parked or not yet: a notify that comes first is remembered.
        signal.notify()
        let clock = ContinuousClock()
        let started = clock.now
        await waited
        #expect(clock.now - started < .seconds(10))
    }
}
