import Foundation
import Logging
import Synchronization
import SwiftbaseTesting
import Testing

@testable import SwiftbaseCore

/// The scheduler on a `ManualClock`: it sleeps on the clock, so moving the clock is what makes jobs due.
@Suite("Cron scheduler", .timeLimit(.minutes(1)))
struct CronSchedulerTests {
    /// What a job saw: how many runs began and ended, and the clock's time at each start.
    final class Probe: Sendable {
        private let state = Mutex<(started: [Date], finished: Int)>(([], 0))
        func start(_ date: Date) { state.withLock { $0.started.append(date) } }
        func finish() { state.withLock { $0.finished += 1 } }
        var started: [Date] { state.withLock { $0.started } }
        var finished: Int { state.withLock { $0.finished } }
    }

    /// A door a job waits at until the test opens it.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state -> Bool in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }
        func open() {
            for waiter in state.withLock({ state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }) { waiter.resume() }
        }
    }

    struct Boom: Error {}

    /// 2026-01-01 00:00:30 UTC: half a minute before the first whole minute.
    static let start = Date(timeIntervalSince1970: 1_767_225_630)
    static let minute1 = Date(timeIntervalSince1970: 1_767_225_660)

    static func scheduler(_ clock: ManualClock) -> CronScheduler {
        var logger = Logger(label: "cron-test")
        logger.logLevel = .critical
        return CronScheduler(clock: clock.wallClock, logger: logger)
    }

    /// Runs `scheduler` while `body` runs, then shuts it down and waits for it.
    static func whileRunning(_ scheduler: CronScheduler, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            do {
                try await body()
            } catch {
                scheduler.shutdown()
                throw error
            }
            scheduler.shutdown()
            try await group.waitForAll()
        }
    }

    /// Waits until the scheduler sleeps on the clock (it may also be woken early by a registration: the
    /// job's due time is what is asserted, never how many passes it took).
    static func asleep(_ clock: ManualClock) async throws {
        try await waitUntil("the scheduler sleeps on the clock") { clock.sleeperCount == 1 }
    }

    @Test func jobRunsAtEachMinuteItsScheduleMatches() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        scheduler.register(id: "tick", schedule: .everyMinute) {
            probe.start(clock.now)
            probe.finish()
        }
        #expect(scheduler.nextRun(of: "tick") == Self.minute1)
        try await Self.whileRunning(scheduler) {
            try await Self.asleep(clock)
            clock.advance(by: 29)  // 00:00:59: not yet
            try await Self.asleep(clock)
            #expect(probe.started.isEmpty)
            clock.advance(by: 1)  // 00:01:00
            try await waitUntil("first run") { probe.finished == 1 }
            #expect(probe.started == [Self.minute1])
            try await Self.asleep(clock)
            clock.advance(by: 60)
            try await waitUntil("second run") { probe.finished == 2 }
            #expect(probe.started == [Self.minute1, Self.minute1.addingTimeInterval(60)])
        }
    }

    @Test func jobRegisteredWhileRunningIsScheduled() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        try await Self.whileRunning(scheduler) {
            // No job yet: nothing to sleep on the clock for.
            try scheduler.register(id: "late", expression: "*/2 * * * *") { probe.start(clock.now) }
            try await Self.asleep(clock)
            #expect(scheduler.nextRun(of: "late") == Self.minute1.addingTimeInterval(60))
            clock.advance(by: 30)  // minute 1 does not match */2
            try await Self.asleep(clock)
            clock.advance(by: 60)
            try await waitUntil("run at minute 2") { probe.started.count == 1 }
            #expect(probe.started == [Self.minute1.addingTimeInterval(60)])
        }
    }

    @Test func runStillGoingMakesTheNextTurnBeSkipped() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        let gate = Gate()
        scheduler.register(id: "slow", schedule: .everyMinute) {
            probe.start(clock.now)
            if probe.started.count == 1 { await gate.wait() }
            probe.finish()
        }
        try await Self.whileRunning(scheduler) {
            try await Self.asleep(clock)
            clock.advance(by: 30)  // minute 1: the run starts and waits at the gate
            try await waitUntil("first run started") { probe.started.count == 1 }
            try await Self.asleep(clock)
            clock.advance(by: 60)  // minute 2: still running
            let minute3 = Self.minute1.addingTimeInterval(120)
            try await waitUntil("minute 2 passed") { scheduler.nextRun(of: "slow") == minute3 }
            #expect(probe.started.count == 1)
            // Running it by hand now is skipped too.
            #expect(await scheduler.run(id: "slow"))
            #expect(probe.started.count == 1)
            gate.open()
            try await waitUntil("first run finished") { probe.finished == 1 }
            try await Self.asleep(clock)
            clock.advance(by: 60)  // minute 3
            try await waitUntil("next run") { probe.finished == 2 }
            #expect(probe.started == [Self.minute1, minute3])
        }
    }

    @Test func jobThatThrowsKeepsItsSchedule() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        scheduler.register(id: "failing", schedule: .everyMinute) {
            probe.start(clock.now)
            throw Boom()
        }
        try await Self.whileRunning(scheduler) {
            for run in 1...3 {
                try await Self.asleep(clock)
                clock.advance(by: run == 1 ? 30 : 60)
                try await waitUntil("run \(run)") { probe.started.count == run }
            }
            #expect(scheduler.jobs.map(\.id) == ["failing"])
        }
    }

    @Test func removedJobNoLongerRuns() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let removed = Probe()
        let witness = Probe()
        scheduler.register(id: "removed", schedule: .everyMinute) { removed.start(clock.now) }
        scheduler.register(id: "witness", schedule: .everyMinute) { witness.start(clock.now) }
        try await Self.whileRunning(scheduler) {
            try await Self.asleep(clock)
            #expect(scheduler.remove(id: "removed"))
            #expect(!scheduler.remove(id: "removed"))
            #expect(scheduler.nextRun(of: "removed") == nil)
            for run in 1...2 {
                try await Self.asleep(clock)
                clock.advance(by: run == 1 ? 30 : 60)
                try await waitUntil("witness run \(run)") { witness.started.count == run }
            }
            #expect(removed.started.isEmpty)
            #expect(scheduler.jobs.map(\.id) == ["witness"])
        }
    }

    @Test func jobsAreListedByIDWithTheirExpressions() throws {
        let scheduler = Self.scheduler(ManualClock(start: Self.start))
        try scheduler.register(id: "b", expression: "@daily") {}
        try scheduler.register(id: "a", expression: "*/5 * * * *") {}
        try scheduler.register(id: "__pbAutoBackup__", expression: "0 2 * * *") {}
        try scheduler.register(id: "a", expression: "1 * * * *") {}  // replaces
        #expect(
            scheduler.jobs == [
                .init(id: "__pbAutoBackup__", expression: "0 2 * * *"), .init(id: "a", expression: "1 * * * *"),
                .init(id: "b", expression: "0 0 * * *"),
            ])
        #expect(throws: CronScheduleError.self) { try scheduler.register(id: "c", expression: "every day") {} }
        #expect(scheduler.jobs.count == 3)
    }

    @Test func runAndStartRunAJobNow() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        try scheduler.register(id: "yearly", expression: "@yearly") { probe.finish() }
        #expect(await scheduler.run(id: "yearly"))
        #expect(probe.finished == 1)
        #expect(await !scheduler.run(id: "missing"))
        #expect(!scheduler.start(id: "missing"))
        try await Self.whileRunning(scheduler) {
            #expect(scheduler.start(id: "yearly"))
            try await waitUntil("started run") { probe.finished == 2 }
        }
    }

    @Test func shutdownWaitsForTheRunGoing() async throws {
        let clock = ManualClock(start: Self.start)
        let scheduler = Self.scheduler(clock)
        let probe = Probe()
        let gate = Gate()
        scheduler.register(id: "long", schedule: .everyMinute) {
            probe.start(clock.now)
            await gate.wait()
            probe.finish()
        }
        try await Self.whileRunning(scheduler) {
            try await Self.asleep(clock)
            clock.advance(by: 30)
            try await waitUntil("run started") { probe.started.count == 1 }
            // Opened only after shutdown is asked for (in whileRunning): the run must still finish.
            scheduler.shutdown()
            gate.open()
        }
        #expect(probe.finished == 1)
    }

    /// On a clock without a sleep of its own (the default, real time): the job fires once its minute has come,
    /// not before, and in that minute. The clock is set to 2 s before a whole minute, so this waits about two
    /// seconds. (How late is not asserted: on a loaded test machine the task may wait seconds for a thread;
    /// the tests on a `ManualClock` above show the run is started at its minute.)
    @Test func firesInItsMinuteInRealTime() async throws {
        let now = Date()
        let minute = ((now.timeIntervalSince1970 / 60).rounded(.down) + 1) * 60
        let offset = minute - 2 - now.timeIntervalSince1970
        let clock = WallClock { Date().addingTimeInterval(offset) }
        var logger = Logger(label: "cron-test")
        logger.logLevel = .critical
        let scheduler = CronScheduler(clock: clock, logger: logger)
        let probe = Probe()
        scheduler.register(id: "tick", schedule: .everyMinute) { probe.start(clock.now) }
        try await Self.whileRunning(scheduler) {
            try await waitUntil("the run") { !probe.started.isEmpty }
        }
        let late = try #require(probe.started.first).timeIntervalSince1970 - minute
        #expect(late >= 0 && late < 60, "ran \(late) s after its minute")
    }
}
