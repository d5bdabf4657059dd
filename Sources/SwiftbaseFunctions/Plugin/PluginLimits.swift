/// What one call of a plug-in may use. The defaults are the safe defaults: 100 M instructions, 64 MiB,
/// 10 s.
public struct PluginLimits: Sendable, Equatable {
    /// Instructions (WasmKit fuel: about one unit per WebAssembly operator) one call may execute, the module's
    /// initialisation included; `nil` for no limit. The one hard bound on CPU: a call past it ends with
    /// ``FunctionError/Code/outOfFuel``.
    public var fuel: UInt64?
    /// Bytes the guest's linear memory and its Extism memory may hold together, as Extism counts its memory limit
    /// over both. Growing past it ends the call with ``FunctionError/Code/memoryLimitExceeded``.
    public var memoryBytes: Int
    /// Wall-clock time a call may take through ``FunctionRuntime``, from when it is submitted; `nil` for none.
    /// See ``FunctionRuntime`` for how a running guest is stopped.
    public var timeout: Duration?
    /// Bytes the variable store (`var_set`) may hold, keys and values together; Extism's default is 1 MiB.
    public var maxVarBytes: Int
    /// Log lines one call may emit (Extism logs and captured WASI stdout/stderr); later lines are dropped and one
    /// warning says how many.
    public var maxLogLines: Int

    public init(
        fuel: UInt64? = 100_000_000,
        memoryBytes: Int = 64 << 20,
        timeout: Duration? = .seconds(10),
        maxVarBytes: Int = 1 << 20,
        maxLogLines: Int = 1_000
    ) {
        self.fuel = fuel
        self.memoryBytes = memoryBytes
        self.timeout = timeout
        self.maxVarBytes = maxVarBytes
        self.maxLogLines = maxLogLines
    }
}
