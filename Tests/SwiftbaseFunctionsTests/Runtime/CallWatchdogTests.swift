@testable import SwiftbaseFunctions
import Synchronization
import Testing

/// The watchdog's deadline heap: tickets fire in deadline order, a cancelled one never does.
@Suite("Call watchdog", .timeLimit(.minutes(1)))
struct CallWatchdogTests {
    final class Fired: Sendable {
        let names = Mutex<[String]>([])
        func append(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { names in names.map { $0 } } }
    }

    @Test func ticketsFireInDeadlineOrderAndCancelledOnesDoNot() async throws {
        let watchdog = CallWatchdog()
        let fired = Fired()
        let now = ContinuousClock.now
        var tickets: [String: CallWatchdog.Ticket] = [:]
        for (name, milliseconds) in [("c", 60), ("a", 20), ("x", 30), ("b", 40), ("y", 50), ("d", 80)] {
            tickets[name] = watchdog.register(
                deadline: now + .milliseconds(milliseconds), onTimeout: { fired.append(name) }, onRepeat: { false })
        }
        for name in ["x", "y"] { if let ticket = tickets[name] { watchdog.cancel(ticket) } }
        while fired.all.count < 4 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(fired.all == ["a", "b", "c", "d"])
        #expect(ContinuousClock.now - now >= .milliseconds(80))
    }

    @Test func repeatsRunUntilTheyAnswerFalse() async throws {
        let watchdog = CallWatchdog()
        let count = Mutex(0)
        _ = watchdog.register(
            deadline: .now, onTimeout: {},
            onRepeat: { count.withLock { $0 += 1; return $0 < 5 } })
        while count.withLock({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(2)) }
        // A barrier: a later ticket fires only after the watchdog has passed the time a sixth repeat would have run.
        let barrier = Mutex(false)
        _ = watchdog.register(
            deadline: .now + .milliseconds(10), onTimeout: { barrier.withLock { $0 = true } }, onRepeat: { false })
        while !barrier.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        #expect(count.withLock { $0 } == 5, "no repeat after the one that answered false")
    }
}
