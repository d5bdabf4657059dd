import Foundation
import Synchronization

extension CronScheduler {
    /// Runs the jobs at their times until `shutdown()` is called or the task is cancelled. After `shutdown()`
    /// no run starts and this returns once the runs going have finished; cancelling the task cancels them.
    /// Each run is a child task of this one (nothing outlives it). Call once.
    public func run() async {
        await withDiscardingTaskGroup { runs in
            while !Task.isCancelled {
                let now = clock.now
                let pass = state.withLock { state in state.stopping ? nil : state.collect(now: now) }
                guard let pass else { break }
                for id in pass.skipped { logSkipped(id) }
                for run in pass.runs { runs.addTask { await self.execute(run) } }
                await sleep(until: pass.wakeAt)
            }
        }
    }

    /// Stops `run()`: no run starts from now on, and `run()` returns when the runs going have finished.
    public func shutdown() {
        state.withLock { $0.stopping = true }
        wake.notify()
    }

    /// Waits until `deadline` on the clock (forever when nil), or until woken, or cancelled.
    private func sleep(until deadline: Date?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wake.wait() }
            if let deadline {
                group.addTask { try? await self.clock.sleep(until: deadline) }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
