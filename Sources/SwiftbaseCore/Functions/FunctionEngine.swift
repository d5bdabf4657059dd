/// What runs functions' modules: the seam between the core's functions (deploying, triggers, identity) and a
/// WebAssembly runtime (`SwiftbaseFunctions` provides one on WasmKit). The core never sees a module's insides;
/// the engine never sees the store.
public protocol FunctionEngine: Sendable {
    /// Validates and compiles `module` for `name` with `config` (its limits, config strings, allowed hosts)
    /// without running it. A module that is not valid, imports what the engine does not provide, or lacks one of
    /// `config.exports` throws a `SwiftbaseError` validation error under `data.module`.
    func compile(_ module: [UInt8], name: String, config: FunctionConfig) async throws -> any CompiledFunction

    /// Makes `function` the running version of its name, replacing the one before (calls under way finish on
    /// the old one).
    func install(_ function: any CompiledFunction)

    /// Stops running `name`: later calls fail as `notFound`.
    func remove(_ name: String)

    /// Calls `call.export` of the running version of `name` with `call.input`, within the function's limits.
    func call(_ name: String, _ call: FunctionCall) async throws(FunctionCallError) -> [UInt8]

    /// The same on the calling thread, blocking it (a before hook inside its write transaction): answers nil when
    /// the function has no free slot right now, for the caller to fall back on `call`.
    func callOnCurrentThread(_ name: String, _ call: FunctionCall) throws(FunctionCallError) -> [UInt8]?

    /// The newest `limit` log lines of `name`, newest first.
    func logs(_ name: String, limit: Int) -> [FunctionLogLine]

    /// Adds a line of the host's to `name`'s log (a hook that failed for good, a schedule that could not run).
    func log(_ name: String, _ line: FunctionLogLine)
}

/// A module compiled by a `FunctionEngine`, ready to install.
public protocol CompiledFunction: Sendable {
    var name: String { get }
    var info: FunctionModuleInfo { get }
}

/// One call of a function.
public struct FunctionCall: Sendable {
    /// `http`, `record` or `cron`: for metrics and log lines.
    public var trigger: String
    public var export: String
    public var input: [UInt8]
    /// Who the records API acts as during the call.
    public var identity: AuthContext
    /// False inside a before hook: the write transaction holds the store's writer, so the records API answers
    /// an error instead of waiting for it.
    public var allowsRecordCalls: Bool

    public init(trigger: String, export: String, input: [UInt8], identity: AuthContext, allowsRecordCalls: Bool = true) {
        self.trigger = trigger
        self.export = export
        self.input = input
        self.identity = identity
        self.allowsRecordCalls = allowsRecordCalls
    }
}

/// Why a call of a function failed.
public struct FunctionCallError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// No running function of that name.
        case notFound
        /// Past its timeout (waiting for a slot included).
        case timeout
        /// The plug-in failed, trapped, ran out of fuel or memory.
        case failed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The error an API answers for a failed call of `function`: 500, 504 past its timeout, 404 when missing.
    public func swiftbaseError(function: String) -> SwiftbaseError {
        switch kind {
        case .notFound: return .notFound()
        case .timeout:
            return SwiftbaseError(.gatewayTimeout, "Function \"\(function)\" timed out: \(Self.sentence(message))")
        case .failed:
            return SwiftbaseError(.internalError, "Function \"\(function)\" failed: \(Self.sentence(message))")
        }
    }
}

extension FunctionCallError {
    /// `text` ending with a full stop, as PocketBase's messages do.
    static func sentence(_ text: String) -> String {
        text.hasSuffix(".") ? text : text + "."
    }
}

/// One line a function logged (its own log calls, captured output, and the host's notes on failed calls).
public struct FunctionLogLine: Sendable, Equatable {
    public var time: String
    public var level: String
    public var message: String
    public var trigger: String

    public init(time: String, level: String, message: String, trigger: String) {
        self.time = time
        self.level = level
        self.message = message
        self.trigger = trigger
    }

    public var json: JSONValue {
        ["time": .string(time), "level": .string(level), "message": .string(message), "trigger": .string(trigger)]
    }
}
