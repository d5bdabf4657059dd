import Foundation
import Synchronization

/// Functions' cron triggers as jobs of the app's scheduler: `function:NAME` for a function's first cron trigger,
/// `function:NAME:2`, `:3` … for the next ones — listed by `GET /api/crons` and run at once by
/// `POST /api/crons/{id}` like PocketBase's own jobs. Each run calls the trigger's export with
/// `{"schedule", "scheduledAt"}` (the minute it is for) as the function's identity for schedules.
final class FunctionSchedules: Sendable {
    let scheduler: CronScheduler
    let engine: any FunctionEngine
    /// The job ids registered for each function, to remove when it changes.
    private let registered = Mutex<[String: [String]]>([:])

    init(scheduler: CronScheduler, engine: any FunctionEngine) {
        self.scheduler = scheduler
        self.engine = engine
    }

    static func jobID(_ function: String, index: Int) -> String {
        index == 0 ? "function:\(function)" : "function:\(function):\(index + 1)"
    }

    /// Registers `function`'s cron triggers in place of those of its previous version.
    func update(_ function: DeployedFunction) {
        remove(function.name)
        var ids: [String] = []
        let crons = function.config.triggers.filter { if case .cron = $0 { true } else { false } }
        for (index, trigger) in crons.enumerated() {
            guard case .cron(let expression, let export) = trigger,
                let schedule = try? CronSchedule(parsing: expression)
            else { continue }
            let id = Self.jobID(function.name, index: index)
            let engine = engine
            let name = function.name
            let identity = function.config.runAs(for: trigger).identity(function: name, caller: .guest)
            scheduler.register(id: id, schedule: schedule) {
                let minute = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
                let call = FunctionCall(
                    trigger: "cron", export: export,
                    input: FunctionInputs.cron(schedule: schedule.expression, scheduledAt: DateTime.format(minute)),
                    identity: identity)
                // A failure is in the function's log (the engine's) and the server's (the scheduler's).
                _ = try await engine.call(name, call)
            }
            ids.append(id)
        }
        registered.withLock { $0[function.name] = ids }
    }

    func remove(_ name: String) {
        let ids = registered.withLock { $0.removeValue(forKey: name) } ?? []
        for id in ids { scheduler.remove(id: id) }
    }
}
