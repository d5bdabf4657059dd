import Synchronization
@_spi(Fuzzing) internal import WasmKit
internal import WasmParser

/// A compiled, validated Extism plug-in with its options: compile once, call many times.
///
/// Creating one checks the module fully before anything runs: it must be valid WebAssembly (every function body
/// is validated), every import must be something this host provides (Extism's `extism:host/env`, harmless WASI
/// stubs, or one of ``PluginOptions/hostFunctions``), and every export named in `requiredExports` must exist with
/// the signature Extism calls (no parameters, an `i32` result or none). A module that fails is refused with a
/// ``FunctionError`` that names the problem.
///
/// Thread-safe; calls go through ``FunctionRuntime`` (with limits and timeouts enforced on guest threads) or
/// through a ``PluginInstance`` the caller drives on a thread of its own.
///
/// ```swift
/// let plugin = try Plugin(wasm: bytes, options: PluginOptions(config: ["greeting": "Hi"]),
///                         requiredExports: ["greet"])
/// let output = try await runtime.call(plugin, PluginCall("greet", input: "Ada"))
/// ```
public final class Plugin: Sendable {
    public let options: PluginOptions
    /// The exports Extism can call: functions without parameters returning an `i32` or nothing.
    public let callableExports: [String]
    /// Every import, as `module.name`.
    public let imports: [String]

    let module: Module
    let links: [PluginLink]
    /// Whether the module has a guest runtime to initialise before its first call (`__wasm_call_ctors` or
    /// `_initialize`, as Extism detects it).
    let initializer: String?
    /// Bounds its concurrent calls (``PluginOptions/maxConcurrentCalls``).
    let gate: CallGate
    private let idle = Mutex<[IdleInstance]>([])
    private let prepared = Mutex<[IdleInstance]>([])

    public convenience init(
        wasm: [UInt8], options: PluginOptions = PluginOptions(), requiredExports: [String] = []
    ) throws(FunctionError) {
        let module: Module
        do {
            module = try parseWasm(bytes: wasm)
        } catch {
            throw FunctionError(.invalidModule, "not a valid WebAssembly module: \(error)")
        }
        try self.init(module: module, options: options, requiredExports: requiredExports)
    }

    init(module: Module, options: PluginOptions, requiredExports: [String]) throws(FunctionError) {
        self.module = module
        self.options = options
        self.gate = CallGate(limit: options.maxConcurrentCalls)
        self.links = try PluginLink.plan(for: module, hostFunctions: options.hostFunctions)
        self.imports = module.imports.map { "\($0.module).\($0.name)" }
        let functionExports = module.exports.compactMap { export -> String? in
            guard case .function = export.descriptor else { return nil }
            return export.name
        }
        for name in requiredExports where !functionExports.contains(name) {
            let available = functionExports.isEmpty ? "none" : functionExports.sorted().joined(separator: ", ")
            throw FunctionError(.missingExport, "the module has no function export \(name) (its exports: \(available))")
        }
        let types = try Self.validate(module, links: links, options: options)
        self.callableExports = functionExports.filter { types[$0].map(Self.isCallable) ?? false }.sorted()
        for name in requiredExports where !callableExports.contains(name) {
            let type = types[name].map { "\($0.parameters) -> \($0.results)" } ?? "unknown"
            throw FunctionError(
                .invalidModule, "export \(name) has type \(type); Extism calls a function with no parameters returning an i32 or nothing"
            )
        }
        let initializers = ["__wasm_call_ctors", "_initialize"]
        self.initializer = initializers.first { name in
            types[name].map { $0.parameters.isEmpty && $0.results.isEmpty } ?? false
        }
    }

    // MARK: - Warm instances

    /// An idle instance handed between guest threads; only one thread uses it at a time.
    private struct IdleInstance: @unchecked Sendable {
        let instance: PluginInstance
    }

    func takeIdleInstance() -> PluginInstance? {
        idle.withLock { $0.popLast()?.instance }
    }

    func returnIdleInstance(_ instance: PluginInstance) {
        guard instance.isReusable else { return }
        idle.withLock { idle in
            if idle.count < options.warmInstances { idle.append(IdleInstance(instance: instance)) }
        }
    }

    /// Idle warm instances right now.
    public var idleInstanceCount: Int { idle.withLock { $0.count } }

    // MARK: - Prepared instances

    func takePreparedInstance() -> PluginInstance? {
        prepared.withLock { $0.popLast()?.instance }
    }

    /// Makes fresh instances until ``PluginOptions/preparedInstances`` are ready; runs on a guest thread. Stops at
    /// the first failure (the same failure will then show on the call path, where it is reported).
    func prepareInstances() {
        while prepared.withLock({ $0.count }) < options.preparedInstances {
            guard let instance = try? PluginInstance(self, interrupt: nil, preparing: true) else { return }
            prepared.withLock { $0.append(IdleInstance(instance: instance)) }
        }
    }

    /// Fresh instances ready for cold calls right now.
    public var preparedInstanceCount: Int { prepared.withLock { $0.count } }

    // MARK: - Validation

    private static func isCallable(_ type: FunctionType) -> Bool {
        type.parameters.isEmpty && (type.results.isEmpty || type.results == [.i32])
    }

    /// Instantiates the module once on the eager engine, without running its start function: every function
    /// body is translated (and so validated), every import type checked against what the host links, and the
    /// initial memory checked against the limit. Returns the types of the function exports.
    private static func validate(
        _ module: Module, links: [PluginLink], options: PluginOptions
    ) throws(FunctionError) -> [String: FunctionType] {
        var module = module
        module.dropStartFunction()
        let budget = MemoryBudget(limit: options.limits.memoryBytes)
        let store = Store(engine: PluginEngine.eager)
        budget.install(in: store)
        let context = KernelContext(options: options, budget: budget)
        var imports = Imports()
        for link in links {
            imports.define(module: link.module, name: link.name, link.makeFunction(store: store, context: context))
        }
        let instance: Instance
        do {
            instance = try module.instantiate(store: store, imports: imports)
        } catch let error as MemoryLimitExceeded {
            throw FunctionError(.memoryLimitExceeded, "the module's initial memory is too large: \(error)")
        } catch {
            throw FunctionError(.invalidModule, "the module does not validate: \(error)")
        }
        var types: [String: FunctionType] = [:]
        for (name, value) in instance.exports {
            if case .function(let function) = value { types[name] = function.type }
        }
        return types
    }
}
