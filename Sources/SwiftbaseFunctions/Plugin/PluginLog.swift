/// Extism's log levels, in its order; `get_log_level` answers with ``rawValue`` (trace 0 … error 4).
public enum PluginLogLevel: Int32, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace = 0, debug, info, warn, error
    /// Nothing is logged; `get_log_level` answers `Int32.max` as Extism does.
    case off = 2_147_483_647

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = level
    }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        case .off: "off"
        }
    }
}

/// One line a plug-in logged: through Extism's `log_*` functions, or written to WASI stdout/stderr.
public struct PluginLogEntry: Sendable, Equatable, CustomStringConvertible {
    /// Where a line came from.
    public enum Source: String, Sendable, Equatable {
        /// `extism:host/env` `log_info`, `log_warn`, …
        case extism
        /// WASI `fd_write` to descriptor 1 (logged at `info`).
        case stdout
        /// WASI `fd_write` to descriptor 2 (logged at `error`).
        case stderr
        /// The runtime itself, e.g. to say that lines were dropped.
        case runtime
    }

    public let level: PluginLogLevel
    public let message: String
    public let source: Source
    /// The ``PluginCall/logTag`` of the call that logged it.
    public let tag: String?

    public init(level: PluginLogLevel, message: String, source: Source = .extism, tag: String? = nil) {
        self.level = level
        self.message = message
        self.source = source
        self.tag = tag
    }

    public var description: String { "[\(level)] \(message)" }
}
