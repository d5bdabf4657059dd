/// What a ``UserHostFunction`` sees of the call it runs in: the plug-in's Extism memory, its config and vars, the
/// caller's host context, and the plug-in's log.
///
/// Valid only while the host function runs; do not keep it. Every offset it is given is checked: one that is not
/// the start of a block (or outside Extism memory) throws, and the call ends as a trap.
public struct CallContext {
    private let kernel: KernelContext

    init(_ kernel: KernelContext) {
        self.kernel = kernel
    }

    /// The bytes of the block at `offset` (a handle the plug-in allocated and passed in).
    public func bytes(at offset: UInt64) throws -> [UInt8] {
        try kernel.memory.contents(of: offset, for: "host function")
    }

    /// The block at `offset` as UTF-8 text.
    public func string(at offset: UInt64) throws -> String {
        String(decoding: try bytes(at: offset), as: UTF8.self)
    }

    /// Copies `bytes` into a new block of Extism memory and returns its offset for the plug-in (0 for no bytes).
    /// The plug-in owns the block. Throws when the plug-in's memory budget is spent.
    public func allocate(_ bytes: some Collection<UInt8>) throws -> UInt64 {
        try kernel.memory.allocate(copying: bytes)
    }

    /// Copies `text` as UTF-8 into a new block and returns its offset (0 for an empty string).
    public func allocate(_ text: String) throws -> UInt64 {
        try kernel.memory.allocate(copying: text.utf8)
    }

    /// Frees the block at `offset`, e.g. an argument the host function takes ownership of; anything that is not a
    /// live block is ignored.
    public func free(_ offset: UInt64) {
        kernel.memory.release(offset)
    }

    /// The plug-in's config (``PluginOptions/config``).
    public var config: [String: String] { kernel.options.config }

    /// The plug-in's vars as they stand in this call; changes are seen by the plug-in and returned with the output.
    public var vars: [String: [UInt8]] {
        get { kernel.vars }
        nonmutating set { kernel.vars = newValue }
    }

    /// Whatever the caller passed as ``PluginCall/hostContext`` — e.g. the identity a function runs as.
    public var hostContext: (any Sendable)? { kernel.hostContext }

    /// The time the call has left, or `nil` when it has no timeout.
    public var timeRemaining: Duration? {
        kernel.deadline.map { max(.zero, $0 - ContinuousClock.now) }
    }

    /// Writes a line to the plug-in's log, as the plug-in's own `log_*` calls do.
    public func log(_ level: PluginLogLevel, _ message: String) {
        kernel.log(level, message, source: .runtime)
    }
}
