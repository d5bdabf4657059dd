public import Foundation
public import SwiftbaseCore
import Synchronization

/// A wall clock a test moves by hand: pass `wallClock` to the app (`SwiftbaseConfiguration.clock`) or a
/// service, then `advance` past a token's, key's or code's expiry instead of waiting for it. Whatever sleeps
/// on this clock (`WallClock.sleep(until:)`, as the cron scheduler does) wakes when it is advanced far enough.
///
/// ```swift
/// let clock = ManualClock()
/// let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
/// // … sign in …
/// clock.advance(by: 3600)   // the token has now expired
/// ```
public final class ManualClock: Sendable {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [UInt64: Sleeper] = [:]
        var nextSleeper: UInt64 = 0
    }

    private let state: Mutex<State>

    /// A clock at `start` (by default the system time now, so records' own timestamps stay comparable).
    public init(start: Date = Date()) {
        state = Mutex(State(now: start))
    }

    public var now: Date { state.withLock { $0.now } }

    /// How many tasks are sleeping on this clock: a test waits for the scheduler to be asleep before it
    /// moves the clock, when it must know the move is seen as one step.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock forward by `seconds` (backward when negative), waking the sleepers now due.
    public func advance(by seconds: TimeInterval) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now += seconds
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in due { continuation.resume() }
    }

    /// Returns once the clock has been advanced to `deadline` or later; throws when the task is cancelled.
    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.now >= deadline { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// This clock, as the core reads time and waits for it.
    public var wallClock: WallClock {
        WallClock({ [self] in now }, sleep: { [self] deadline in try await sleep(until: deadline) })
    }
}
