import Foundation

/// The scheduler's mutable state, changed only under its lock: the jobs with their next due time and
/// whether a run is going, the runs asked for by `start(id:)`, and whether to stop.
struct SchedulerState {
    struct Entry {
        let schedule: CronSchedule
        let action: CronScheduler.Action
        /// Tells this registration from an earlier one under the same id (whose run may still be going).
        let token: UInt64
        var next: Date?
        var running = false
    }

    /// A run handed out to be executed; `finish` gives the job back.
    struct Run: Sendable {
        let id: String
        let token: UInt64
        let action: CronScheduler.Action
    }

    enum Claim {
        case unknown, busy
        case claimed(Run)
    }

    var entries: [String: Entry] = [:]
    var requested: [String] = []
    var stopping = false
    private var lastToken: UInt64 = 0

    mutating func add(id: String, schedule: CronSchedule, action: @escaping CronScheduler.Action, next: Date?) {
        lastToken += 1
        entries[id] = Entry(schedule: schedule, action: action, token: lastToken, next: next)
    }

    /// Marks the job as running and hands it out, unless it is unknown or already running.
    mutating func claim(_ id: String) -> Claim {
        guard var entry = entries[id] else { return .unknown }
        if entry.running { return .busy }
        entry.running = true
        entries[id] = entry
        return .claimed(Run(id: id, token: entry.token, action: entry.action))
    }

    mutating func finish(_ run: Run) {
        if entries[run.id]?.token == run.token { entries[run.id]?.running = false }
    }

    /// What is due at `now`: the runs to start (scheduled ones whose time has come, then those asked for),
    /// the ids skipped because a run is still going, and when to look again (nil: only when woken). Every
    /// job that was due gets its next time after `now`.
    mutating func collect(now: Date) -> (runs: [Run], skipped: [String], wakeAt: Date?) {
        var runs: [Run] = []
        var skipped: [String] = []
        let due = entries.filter { entry in entry.value.next.map { $0 <= now } ?? false }.map(\.key).sorted()
        for id in due {
            let next = entries[id]?.schedule.next(after: now)
            entries[id]?.next = next
            switch claim(id) {
            case .claimed(let run): runs.append(run)
            case .busy: skipped.append(id)
            case .unknown: break
            }
        }
        for id in requested {
            switch claim(id) {
            case .claimed(let run): runs.append(run)
            case .busy: skipped.append(id)
            case .unknown: break
            }
        }
        requested = []
        let wakeAt = entries.values.compactMap(\.next).min()
        return (runs, skipped, wakeAt)
    }
}
