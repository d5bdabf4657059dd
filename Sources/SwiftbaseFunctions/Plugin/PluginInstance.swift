internal import WasmKit

/// One live instance of a ``Plugin``: a WebAssembly instance with its own linear memory, Extism memory and vars —
/// what Extism calls a `Plugin`.
///
/// Calls run synchronously on the calling thread, one at a time. Not thread-safe and not `Sendable`: create it,
/// call it and drop it on one thread (``FunctionRuntime`` does this on its guest threads). Run from async code only
/// through ``FunctionRuntime``, never on the cooperative pool: a call blocks until the guest returns. Limits on fuel
/// and memory apply to every call; the wall-clock timeout needs ``FunctionRuntime``.
///
/// After a call fails with a trap, a limit or a timeout, the instance's state is unknown: it refuses further calls
/// (``isReusable`` is `false`). A plug-in that reports an error itself (`error_set`, a non-zero return) stays usable.
public final class PluginInstance {
    public let plugin: Plugin
    private let store: Store
    private let instance: Instance
    private let kernel: KernelContext
    private var initialized = false
    private var callCount = 0
    /// Whether another call may run on this instance.
    public private(set) var isReusable = true

    /// Instantiates `plugin`. The start function, if the module has one, runs here, within the fuel budget.
    public convenience init(_ plugin: Plugin) throws(FunctionError) {
        try self.init(plugin, interrupt: nil)
    }

    /// - Parameter preparing: instantiate ahead of a call (``PluginOptions/preparedInstances``): translate every
    ///   function now and initialise the guest runtime, so the first call only runs.
    init(_ plugin: Plugin, interrupt: CallInterrupt?, preparing: Bool = false) throws(FunctionError) {
        self.plugin = plugin
        let budget = MemoryBudget(limit: plugin.options.limits.memoryBytes)
        let store = Store(engine: preparing ? PluginEngine.eager : PluginEngine.running)
        budget.install(in: store)
        let kernel = KernelContext(options: plugin.options, budget: budget)
        var imports = Imports()
        for link in plugin.links {
            imports.define(module: link.module, name: link.name, link.makeFunction(store: store, context: kernel))
        }
        store.fuel = plugin.options.limits.fuel.map { Fuel(remaining: $0) }
        do {
            try interrupt?.attach(store)
            defer { interrupt?.detach() }
            self.instance = try plugin.module.instantiate(store: store, imports: imports)
        } catch {
            throw CallFailure.classify(error, interrupt: interrupt, pluginError: nil)
        }
        self.store = store
        self.kernel = kernel
        if preparing { try initialize(interrupt: nil) }
    }

    /// Runs the guest runtime's initialiser (`__wasm_call_ctors` or `_initialize`) once, before the first call, as
    /// Extism does when it instantiates.
    private func initialize(interrupt: CallInterrupt?) throws(FunctionError) {
        guard !initialized else { return }
        initialized = true
        guard let name = plugin.initializer, let function = instance.exports[function: name] else { return }
        do {
            _ = try ThreadExecutionStack.invoke(function)
        } catch {
            isReusable = false
            throw CallFailure.classify(error, interrupt: interrupt, pluginError: nil)
        }
    }

    /// The vars the instance holds: set by the plug-in with `var_set`, kept from call to call.
    public var vars: [String: [UInt8]] {
        get { kernel.vars }
        set { kernel.vars = newValue }
    }

    /// Calls an export with Extism's conventions and returns its output, or throws the plug-in's error.
    public func call(_ call: PluginCall) throws(FunctionError) -> PluginOutput {
        try self.call(call, interrupt: nil)
    }

    func call(_ call: PluginCall, interrupt: CallInterrupt?) throws(FunctionError) -> PluginOutput {
        guard isReusable else {
            throw FunctionError(.trap, "this instance failed in an earlier call and cannot be used again")
        }
        if let vars = call.vars { kernel.vars = vars }
        let budget = plugin.options.limits.fuel
        store.fuel = budget.map { Fuel(remaining: $0) }
        let coldStart = callCount == 0
        callCount += 1
        defer { kernel.end() }
        do {
            try interrupt?.attach(store)
            defer { interrupt?.detach() }
            kernel.prepare(hostContext: call.hostContext, logTag: call.logTag, interrupt: interrupt)
            try initialize(interrupt: interrupt)
            try kernel.setInput(call.input)
            guard let function = instance.exports[function: call.export] else {
                throw FunctionError(.missingExport, "function not found: \(call.export)")
            }
            let type = function.type
            guard type.parameters.isEmpty, type.results.count <= 1 else {
                throw FunctionError(
                    .invalidModule, "export \(call.export) has type \(type.parameters) -> \(type.results); "
                        + "Extism calls a function with no parameters returning an i32 or nothing"
                )
            }
            let results: [Value]
            do {
                results = try ThreadExecutionStack.invoke(function)
            } catch let exit as WASIExit where exit.status == 0 {
                results = []
            }
            // `_start` runs a command to its end; Extism does not reuse the instance after it.
            if call.export == "_start" { isReusable = false }
            let code = results.first.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0.u64)) } ?? 0
            if let message = kernel.errorMessage() {
                throw FunctionError(.pluginFailed, message)
            }
            guard code == 0 else {
                throw FunctionError(.pluginFailed, "Returned non-zero exit code: \(code)")
            }
            return PluginOutput(
                output: try kernel.output(),
                vars: kernel.vars,
                fuelConsumed: fuelConsumed(budget: budget),
                coldStart: coldStart
            )
        } catch let failure as FunctionError where failure.code == .pluginFailed || failure.code == .missingExport {
            throw failure
        } catch {
            isReusable = false
            throw CallFailure.classify(error, interrupt: interrupt, pluginError: kernel.errorMessage())
        }
    }

    private func fuelConsumed(budget: UInt64?) -> UInt64 {
        let remaining = store.fuel?.remaining ?? .max
        return (budget ?? .max) &- remaining
    }
}
