/// Why a plug-in could not be compiled or why one call of it failed.
///
/// One error type for the whole module, as a struct with a ``Code`` so that codes can be added without breaking
/// callers. `message` is meant for the function's owner (it may quote the guest's own error text); it never
/// contains host data the plug-in did not produce.
public struct FunctionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; compare with `==` or `switch` over the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case invalidModule, unresolvedImport, missingExport, pluginFailed, trap, outOfFuel
            case memoryLimitExceeded, timeout, cancelled, hostFunctionFailed
        }
        fileprivate let base: Base

        /// The bytes are not a valid WebAssembly module, or an export has a signature Extism cannot call.
        public static let invalidModule = Code(base: .invalidModule)
        /// The module imports something Swiftbase does not provide (an unknown `extism:host/env` or
        /// `extism:host/user` function, or another module altogether).
        public static let unresolvedImport = Code(base: .unresolvedImport)
        /// The export the caller named does not exist.
        public static let missingExport = Code(base: .missingExport)
        /// The plug-in reported a failure: it set an error with `error_set`, returned a non-zero code, or exited
        /// WASI with a non-zero status.
        public static let pluginFailed = Code(base: .pluginFailed)
        /// The guest trapped: `unreachable`, an out-of-bounds access, or a bad offset handed to a kernel function.
        public static let trap = Code(base: .trap)
        /// The call used up its instruction budget (`PluginLimits.fuel`).
        public static let outOfFuel = Code(base: .outOfFuel)
        /// The guest's linear memory and Extism memory together would exceed `PluginLimits.memoryBytes`.
        public static let memoryLimitExceeded = Code(base: .memoryLimitExceeded)
        /// The call ran past `PluginLimits.timeout`.
        public static let timeout = Code(base: .timeout)
        /// The task awaiting the call was cancelled; the guest was stopped as for a timeout.
        public static let cancelled = Code(base: .cancelled)
        /// A host function (an `extism:host/user` one, or the HTTP client) threw.
        public static let hostFunctionFailed = Code(base: .hostFunctionFailed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
