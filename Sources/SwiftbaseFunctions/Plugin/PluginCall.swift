/// One call of a plug-in's export.
public struct PluginCall: Sendable {
    /// The export to call; Extism's signature: no parameters, an `i32` result (0 = success) or none.
    public var export: String
    public var input: [UInt8]
    /// The vars the plug-in starts with (`var_get`); `nil` keeps those the instance has (none for a new instance).
    public var vars: [String: [UInt8]]?
    /// Handed to host functions as ``CallContext/hostContext`` (Extism's `call_with_host_context`).
    public var hostContext: (any Sendable)?
    /// Copied into every line the call logs (``PluginLogEntry/tag``), so a log handler shared by all calls can tell
    /// them apart (Swiftbase tags a function's lines with the trigger that called it).
    public var logTag: String?

    public init(
        _ export: String, input: [UInt8] = [], vars: [String: [UInt8]]? = nil, hostContext: (any Sendable)? = nil,
        logTag: String? = nil
    ) {
        self.export = export
        self.input = input
        self.vars = vars
        self.hostContext = hostContext
        self.logTag = logTag
    }

    public init(_ export: String, input: String, vars: [String: [UInt8]]? = nil, hostContext: (any Sendable)? = nil) {
        self.init(export, input: Array(input.utf8), vars: vars, hostContext: hostContext)
    }
}

/// What a successful call produced.
public struct PluginOutput: Sendable, Equatable {
    /// The bytes the plug-in set with `output_set`.
    public var output: [UInt8]
    /// The vars after the call (to pass to the next call, when the caller keeps them).
    public var vars: [String: [UInt8]]
    /// Fuel (≈ instructions) the call used, initialisation included.
    public var fuelConsumed: UInt64
    /// `true` when the call ran on a new instance (cold), `false` on a reused one (warm).
    public var coldStart: Bool

    public var text: String { String(decoding: output, as: UTF8.self) }
}
