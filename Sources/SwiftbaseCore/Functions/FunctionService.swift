import Crypto
import Foundation
public import Logging
import Synchronization

/// Functions as the API manages them (`/api/functions`, superusers) and as the server runs them: deploys,
/// versions and rollbacks kept in the store; the running versions compiled by the `engine`; and the triggers
/// wired to the core — HTTP calls (`callHTTP`), record hooks before the write (a `RecordHooks` write hook) and
/// after it (`FunctionAfterHooks`, from the change log), schedules (`FunctionSchedules`, jobs of the app's
/// `CronScheduler`).
///
/// Deploys, edits, rollbacks and deletes run one at a time, so the store and the running version agree.
public final class FunctionService: Sendable {
    let store: any Store
    let registry: SchemaRegistry
    let engine: any FunctionEngine
    let logger: Logger
    /// What runs each function's after hooks.
    let afterHooks: FunctionAfterHooks
    /// Cron triggers as the scheduler's jobs; nil without a scheduler.
    let schedules: FunctionSchedules?
    private let running = Mutex(Running())

    /// The running functions, and their before hooks in the order they run (by function name), kept together so
    /// a write looks its hooks up without going through every function.
    private struct Running {
        var functions: [String: DeployedFunction] = [:]
        var beforeHooks: [(function: DeployedFunction, hook: FunctionRecordTrigger)] = []

        mutating func set(_ name: String, _ function: DeployedFunction?) {
            functions[name] = function
            beforeHooks = functions.values.sorted { $0.name < $1.name }.flatMap { function in
                function.config.beforeHooks.map { (function, $0) }
            }
        }
    }
    private let changes = AsyncSemaphore(permits: 1)
    /// Called with every function that starts or stops running (the scheduler registers its cron triggers).
    private let observers = Mutex<[@Sendable (_ name: String, _ function: DeployedFunction?) -> Void]>([])

    public init(
        store: any Store, records: RecordService, feed: ChangeFeed, engine: any FunctionEngine,
        scheduler: CronScheduler?, logger: Logger
    ) {
        self.store = store
        self.registry = records.registry
        self.engine = engine
        self.logger = logger
        self.afterHooks = FunctionAfterHooks(store: store, feed: feed, registry: records.registry, engine: engine, logger: logger)
        self.schedules = scheduler.map { FunctionSchedules(scheduler: $0, engine: engine) }
        FunctionBeforeHooks.register(on: records.hooks, functions: self)
    }

    public static let failure = "Failed to deploy the function."
    /// 1–63 characters of `a-z 0-9 _ -`, starting with a letter: safe in a URL path and a file name.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first >= "a" && first <= "z", name.unicodeScalars.count <= 63
        else { return false }
        return name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" }
    }

    // MARK: - Running state

    /// The running version of every function, by name.
    public var functions: [String: DeployedFunction] { running.withLock { $0.functions } }

    public func function(named name: String) -> DeployedFunction? { running.withLock { $0.functions[name] } }

    /// The before hooks of the running functions that a write of `action` on `collection` runs, in order.
    func beforeHooks(for collection: CollectionModel, _ action: RecordHookAction)
        -> [(function: DeployedFunction, hook: FunctionRecordTrigger)]
    {
        running.withLock { running in
            guard !running.beforeHooks.isEmpty else { return [] }
            return running.beforeHooks.filter { $0.hook.applies(to: collection, action) }
        }
    }

    /// Whether `function`'s version is the one running.
    public func isRunning(_ function: DeployedFunction) -> Bool { self.function(named: function.name)?.version == function.version }

    /// Hears every function that starts running (a deploy, an edit, a rollback, the start) or stops (nil).
    public func observe(_ observer: @escaping @Sendable (_ name: String, _ function: DeployedFunction?) -> Void) {
        observers.withLock { $0.append(observer) }
        for (name, function) in functions { observer(name, function) }
    }

    /// Compiles and runs every stored function's active version; one that no longer compiles is logged and
    /// left stopped. Called once, at start.
    public func loadAll() async throws {
        let rows = try await store.read { conn in try FunctionTables.all(on: conn) }
        for row in rows {
            do {
                guard let stored = try await store.read({ conn in
                    try FunctionTables.version(row.function.version, of: row.function.name, on: conn)
                }) else { continue }
                let compiled = try await engine.compile(stored.module, name: row.function.name, config: row.function.config)
                start(row.function, compiled)
            } catch {
                logger.error(
                    "function not started", metadata: ["sb.function": "\(row.function.name)", "sb.error": "\(error)"])
            }
        }
    }

    private func start(_ function: DeployedFunction, _ compiled: any CompiledFunction) {
        engine.install(compiled)
        running.withLock { $0.set(function.name, function) }
        afterHooks.update(function)
        schedules?.update(function)
        for observer in observers.withLock({ $0 }) { observer(function.name, function) }
    }

    private func stop(_ name: String) {
        running.withLock { $0.set(name, nil) }
        afterHooks.remove(name)
        schedules?.remove(name)
        engine.remove(name)
        for observer in observers.withLock({ $0 }) { observer(name, nil) }
    }

    /// Starts the after hooks' workers (of the functions running now and of those started later).
    public func startAfterHooks() { afterHooks.start() }

    /// Stops the after hooks' workers and waits for them: their cursors stay at what was handed over.
    public func stopAfterHooks() async { await afterHooks.stop() }

    // MARK: - Managing

    /// Deploys `module` with `config` (a JSON object, or nil for the defaults) as the next version of `name`,
    /// and runs it. A module or config that does not pass is refused with 400 and the running version stays.
    public func deploy(
        name: String, module: [UInt8], config: JSONValue?, source: DeployedFunction.Source = .api
    ) async throws -> DeployedFunction {
        guard Self.isValidName(name) else {
            throw SwiftbaseError.validation(
                Self.failure,
                .items([
                    "name": ErrorItem(
                        "validation_invalid_name",
                        "Must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter.")
                ]))
        }
        guard !module.isEmpty else {
            throw SwiftbaseError.validation(Self.failure, .items(["module": .required]))
        }
        let parsed = try FunctionConfig.parse(config ?? [:], schema: registry.snapshot, failure: Self.failure)
        return try await changes.withPermit {
            try await self.store(module, parsed, name: name, source: source)
        }
    }

    /// A new version of `name`: its active module (or `module`) with `config`'s keys changed.
    public func update(_ name: String, module: [UInt8]?, config: JSONValue?) async throws -> DeployedFunction {
        try await changes.withPermit {
            guard let current = try await self.storedFunction(name) else { throw SwiftbaseError.notFound() }
            let parsed = try FunctionConfig.parse(
                config ?? [:], over: current.config, schema: self.registry.snapshot, failure: Self.failure)
            var bytes = module ?? []
            if bytes.isEmpty {
                guard let stored = try await self.store.read({ conn in
                    try FunctionTables.version(current.version, of: name, on: conn)
                }) else { throw SwiftbaseError.notFound() }
                bytes = stored.module
            }
            return try await self.store(bytes, parsed, name: name, source: current.source)
        }
    }

    /// Runs version `version` of `name` again (default: the one before the active one).
    public func rollback(_ name: String, to version: Int?) async throws -> DeployedFunction {
        try await changes.withPermit {
            guard let current = try await self.storedFunction(name) else { throw SwiftbaseError.notFound() }
            let versions = try await self.store.read { conn in try FunctionTables.versions(of: name, on: conn) }
            let target = version ?? versions.map(\.version).filter { $0 < current.version }.max()
            guard let target, let stored = try await self.store.read({ conn in
                try FunctionTables.version(target, of: name, on: conn)
            }) else { throw SwiftbaseError.notFound("No such version to roll back to.") }
            let config = (try? FunctionConfig.parse(stored.config, schema: nil, failure: "")) ?? FunctionConfig()
            let compiled = try await self.engine.compile(stored.module, name: name, config: config)
            let now = DateTime.now()
            try await self.store.write { conn in
                try FunctionTables.activate(target, of: name, afterHooks: config.hasAfterHooks, updated: now, on: conn)
                if config.hasAfterHooks && !current.config.hasAfterHooks {
                    try FunctionTables.saveCursor(try ChangeLog.head(on: conn), of: name, on: conn)
                }
            }
            var function = current
            function.version = target
            function.config = config
            function.module = compiled.info
            function.updated = now
            self.start(function, compiled)
            return function
        }
    }

    /// Stops `name` and deletes it with every version.
    public func delete(_ name: String) async throws {
        try await changes.withPermit {
            guard try await self.storedFunction(name) != nil else { throw SwiftbaseError.notFound() }
            try await self.store.write { conn in try FunctionTables.delete(name, on: conn) }
            self.stop(name)
        }
    }

    public func list() async throws -> [DeployedFunction] {
        try await store.read { conn in try FunctionTables.all(on: conn) }.map(\.function)
    }

    /// The function and its versions, newest first.
    public func get(_ name: String) async throws -> (function: DeployedFunction, versions: [FunctionVersion]) {
        let found = try await store.read { conn -> (DeployedFunction, [FunctionVersion])? in
            guard let row = try FunctionTables.function(name, on: conn) else { return nil }
            return (row.function, try FunctionTables.versions(of: name, on: conn))
        }
        guard let found else { throw SwiftbaseError.notFound() }
        return found
    }

    /// The newest log lines of `name`, newest first.
    public func logs(_ name: String, limit: Int) async throws -> [FunctionLogLine] {
        guard try await storedFunction(name) != nil else { throw SwiftbaseError.notFound() }
        return engine.logs(name, limit: limit)
    }

    private func storedFunction(_ name: String) async throws -> DeployedFunction? {
        try await store.read { conn in try FunctionTables.function(name, on: conn) }?.function
    }

    /// Compiles, stores as the next version, and runs. Called holding `changes`.
    private func store(
        _ module: [UInt8], _ config: FunctionConfig, name: String, source: DeployedFunction.Source
    ) async throws -> DeployedFunction {
        let compiled = try await engine.compile(module, name: name, config: config)
        let now = DateTime.now()
        let stored = try await store.write { conn in
            let existing = try FunctionTables.function(name, on: conn)?.function
            var function = DeployedFunction(
                name: name, version: 0, config: config, module: compiled.info, source: source,
                created: existing?.created ?? now, updated: now)
            let head = try ChangeLog.head(on: conn)
            function.version = try FunctionTables.insertVersion(
                of: function, module: module, configJSON: config.json, cursor: head, on: conn)
            // After hooks see the changes committed after they were deployed, not the log's whole past.
            if config.hasAfterHooks && existing?.config.hasAfterHooks != true {
                try FunctionTables.saveCursor(head, of: name, on: conn)
            }
            return function
        }
        start(stored, compiled)
        return stored
    }

    /// The digest the API shows for a module.
    public static func sha256(_ module: [UInt8]) -> String {
        SHA256.hash(data: module).map { String(format: "%02x", $0) }.joined()
    }
}
