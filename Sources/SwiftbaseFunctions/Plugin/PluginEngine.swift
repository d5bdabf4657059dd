internal import WasmKit

/// The WasmKit engines plug-ins run on. Both meter fuel: limits need it, and the watchdog stops a timed-out call
/// through it (see ``CallInterrupt``).
enum PluginEngine {
    /// Runs calls. Functions are translated lazily, when first called, so a cold call pays only for what it runs.
    static let running = Engine(configuration: EngineConfiguration(memoryBoundsChecking: .software, fuelMetering: true))
    /// Translates every function at instantiation: used to validate a module once, when it is compiled, and to
    /// prepare instances ahead of cold calls (``PluginOptions/preparedInstances``).
    static let eager = Engine(
        configuration: EngineConfiguration(compilationMode: .eager, memoryBoundsChecking: .software, fuelMetering: true)
    )
}
