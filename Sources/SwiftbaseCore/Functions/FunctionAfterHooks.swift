import Foundation
import Logging
import Synchronization

/// Runs functions' after hooks from the change log: one worker per function with after hooks, reading from
/// the function's durable cursor (`_functions.cursor`) in `seq` order, calling the hook for each change it
/// covers, retrying a failed call after 1, 2, 4 … 60 s up to `maxAttempts`, then logging it as failed and going
/// on. The cursor is saved as changes are handed over (at most every `saveInterval`, and at the end of each
/// page): after a crash the changes since the last save are handed over again — at least once.
final class FunctionAfterHooks: Sendable {
    static let maxAttempts = 10
    static let saveInterval: Duration = .milliseconds(50)

    let store: any Store
    let feed: ChangeFeed
    let registry: SchemaRegistry
    let engine: any FunctionEngine
    let logger: Logger

    private struct Worker {
        let function: DeployedFunction
        let task: Task<Void, Never>
    }

    private struct State {
        var workers: [String: Worker] = [:]
        /// False until `run` starts them, and again once it stopped them.
        var running = false
        var pending: [String: DeployedFunction] = [:]
    }

    private let state = Mutex(State())

    init(store: any Store, feed: ChangeFeed, registry: SchemaRegistry, engine: any FunctionEngine, logger: Logger) {
        self.store = store
        self.feed = feed
        self.registry = registry
        self.engine = engine
        self.logger = logger
    }

    /// Starts the workers of the functions running now and of those started later, until `stop`.
    func start() {
        let pending = state.withLock { state -> [DeployedFunction] in
            state.running = true
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for function in pending { update(function) }
    }

    /// Stops every worker and waits for them (their cursors saved up to what they handed over).
    func stop() async {
        let workers = state.withLock { state -> [Worker] in
            state.running = false
            defer { state.workers = [:] }
            return Array(state.workers.values)
        }
        for worker in workers { worker.task.cancel() }
        for worker in workers { await worker.task.value }
    }

    /// Starts, restarts or stops `function`'s worker for its new version.
    func update(_ function: DeployedFunction) {
        let old = state.withLock { state -> Worker? in
            guard state.running else {
                state.pending[function.name] = function.config.hasAfterHooks ? function : nil
                return nil
            }
            let old = state.workers.removeValue(forKey: function.name)
            if function.config.hasAfterHooks {
                let previous = old?.task
                state.workers[function.name] = Worker(
                    function: function,
                    task: Task {
                        // One worker per function at a time: the old one hands over at its cursor.
                        previous?.cancel()
                        await previous?.value
                        await self.work(function)
                    })
                return nil
            }
            return old
        }
        old?.task.cancel()
    }

    func remove(_ name: String) {
        let old = state.withLock { state -> Worker? in
            state.pending[name] = nil
            return state.workers.removeValue(forKey: name)
        }
        old?.task.cancel()
    }

    // MARK: - A worker

    private func work(_ function: DeployedFunction) async {
        let name = function.name
        while !Task.isCancelled {
            do {
                guard let cursor = try await store.read({ conn in try FunctionTables.function(name, on: conn) })?.cursor
                else { return }
                try await follow(function, from: cursor)
                return
            } catch is CancellationError {
                return
            } catch let error as SwiftbaseError where error.code == .gone {
                // The log was pruned past the cursor (retention holds for after hooks; a restore or a manual
                // prune can still do it): say what was skipped, then go on from the oldest kept entry.
                let pruned = try? await store.read { conn in try ChangeLogRetention.prunedThrough(on: conn) }
                if let pruned {
                    logger.warning(
                        "function after hooks skipped pruned changes", metadata: ["sb.function": "\(name)", "sb.through": "\(pruned)"])
                    _ = try? await store.write { conn in try FunctionTables.saveCursor(pruned, of: name, on: conn) }
                }
            } catch {
                if Task.isCancelled { return }
                logger.error("function after hooks stopped", metadata: ["sb.function": "\(name)", "sb.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Hands every change after `cursor` to the function's hooks, then follows new commits, until cancelled.
    private func follow(_ function: DeployedFunction, from cursor: Int64) async throws {
        let hooks = function.config.afterHooks
        let schema = registry.snapshot
        let ids = Set(hooks.compactMap { schema.collection($0.collection)?.id })
        let actions = Set(hooks.flatMap(\.actions).map { ChangeLogEntry.Action(rawValue: $0.rawValue)! })
        var saved = cursor
        var lastSave = ContinuousClock.now
        let query = ChangeFeedQuery(after: cursor, collectionIds: ids, actions: actions, limit: 100)
        for try await page in feed.tail(query) {
            for entry in page.entries {
                try Task.checkCancellation()
                guard let collection = schema.collection(entry.collectionId) ?? registry.snapshot.collection(entry.collectionId)
                else { continue }
                let action = RecordHookAction(rawValue: entry.action) ?? .create
                for hook in hooks where hook.applies(to: collection, action) {
                    try await deliver(entry, to: hook, of: function)
                }
                if ContinuousClock.now - lastSave >= Self.saveInterval {
                    try await save(entry.seq, of: function.name)
                    saved = entry.seq
                    lastSave = .now
                }
            }
            if page.next != saved {
                try await save(page.next, of: function.name)
                saved = page.next
                lastSave = .now
            }
        }
    }

    private func save(_ cursor: Int64, of name: String) async throws {
        try await store.write { conn in try FunctionTables.saveCursor(cursor, of: name, on: conn) }
    }

    /// Calls one hook for one change until it succeeds or runs out of attempts. Throws `CancellationError` when
    /// stopped before that, so the cursor stays before the change.
    private func deliver(
        _ entry: ChangeFeedEntry, to hook: FunctionRecordTrigger, of function: DeployedFunction
    ) async throws {
        let call = FunctionCall(
            trigger: "record", export: hook.export, input: FunctionInputs.afterHook(entry),
            identity: function.config.runAs(for: .record(hook)).identity(function: function.name, caller: .guest))
        var delay: Duration = .seconds(1)
        for attempt in 1...Self.maxAttempts {
            do throws(FunctionCallError) {
                _ = try await engine.call(function.name, call)
                return
            } catch {
                if Task.isCancelled || error.kind == .notFound { throw CancellationError() }
                let last = attempt == Self.maxAttempts
                engine.log(
                    function.name,
                    FunctionLogLine(
                        time: DateTime.now(), level: last ? "error" : "warn",
                        message: "after hook failed for seq \(entry.seq) (attempt \(attempt) of \(Self.maxAttempts)"
                            + (last ? ", given up" : "") + "): \(error.message)",
                        trigger: "record"))
                if last { return }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(60))
            }
        }
    }
}
