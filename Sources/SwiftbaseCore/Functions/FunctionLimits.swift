/// What one call of a function may use (`limits` in its config), with the safe defaults.
public struct FunctionLimits: Sendable, Equatable {
    /// Instructions per call.
    public var fuel: UInt64 = 100_000_000
    /// The plug-in's linear memory and its Extism memory together, in MiB.
    public var memoryMB: Int = 64
    /// Wall clock per call, waiting for a free slot included, in milliseconds.
    public var timeoutMs: Int = 10_000
    /// Calls of the function that run at once; more wait for a slot.
    public var concurrency: Int = 8

    public init() {}

    public var timeout: Duration { .milliseconds(timeoutMs) }

    public var json: JSONValue {
        [
            "fuel": .number(Double(fuel)), "memoryMB": .number(Double(memoryMB)),
            "timeoutMs": .number(Double(timeoutMs)), "concurrency": .number(Double(concurrency)),
        ]
    }
}
