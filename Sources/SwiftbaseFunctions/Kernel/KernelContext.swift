/// Everything the `extism:host/env` functions of one plug-in instance work on: Extism memory, where the input,
/// output and error are, the vars, the config, logging and the last HTTP response.
///
/// It lives as long as its instance and is reset at the start of every call (memory emptied, input set anew),
/// except for the vars, which an instance keeps from call to call as an Extism plug-in does. Thread-confined to
/// the thread running the instance.
final class KernelContext {
    let memory: KernelMemory
    let options: PluginOptions
    let budget: MemoryBudget

    var inputOffset: UInt64 = 0
    var inputLength: UInt64 = 0
    var outputOffset: UInt64 = 0
    var outputLength: UInt64 = 0
    var errorHandle: UInt64 = 0

    var vars: [String: [UInt8]] = [:]
    var lastHTTPStatus: Int32 = 0
    var lastHTTPHeaders: [String: String]?

    /// Set for the length of a call.
    var hostContext: (any Sendable)?
    /// The current call's ``PluginCall/logTag``, copied into each line it logs.
    var logTag: String?
    var interrupt: CallInterrupt?
    var deadline: ContinuousClock.Instant?

    private var logLines = 0
    private var droppedLogLines = 0
    private var stdoutBuffer: [UInt8] = []
    private var stderrBuffer: [UInt8] = []
    /// Longest line kept from WASI stdout/stderr before it is cut.
    static let maxStreamLine = 16 << 10

    init(options: PluginOptions, budget: MemoryBudget) {
        self.options = options
        self.budget = budget
        self.memory = KernelMemory(reserve: { [budget] capacity in try budget.reserveKernel(capacity) })
    }

    /// Starts a call: the host context and interrupt it runs with, fresh log counters.
    func prepare(hostContext: (any Sendable)?, logTag: String?, interrupt: CallInterrupt?) {
        self.hostContext = hostContext
        self.logTag = logTag
        self.interrupt = interrupt
        self.deadline = interrupt?.deadline
        logLines = 0
        droppedLogLines = 0
        lastHTTPStatus = 0
        lastHTTPHeaders = nil
    }

    /// Empties Extism memory and places `input` in it, as Extism does before every call (after the guest runtime's
    /// initialisation).
    func setInput(_ input: [UInt8]) throws {
        memory.reset()
        outputOffset = 0
        outputLength = 0
        errorHandle = 0
        inputOffset = try memory.allocate(copying: input)
        inputLength = UInt64(input.count)
    }

    /// Flushes partial stdout/stderr lines, reports dropped lines, and forgets the call's host context.
    func end() {
        flushStream(&stdoutBuffer, source: .stdout, force: true)
        flushStream(&stderrBuffer, source: .stderr, force: true)
        if droppedLogLines > 0, let sink = options.logHandler {
            sink(PluginLogEntry(level: .warn, message: "\(droppedLogLines) log line(s) dropped", source: .runtime, tag: logTag))
        }
        hostContext = nil
        logTag = nil
        interrupt = nil
        deadline = nil
    }

    /// The output the guest set, read after the call.
    func output() throws -> [UInt8] {
        guard outputLength > 0 else { return [] }
        guard outputLength <= UInt64(Int.max) else { throw KernelFault.outOfBounds(outputOffset, count: -1, function: "output_set") }
        return try memory.read(outputOffset, count: Int(outputLength), for: "output_set")
    }

    /// The error message the guest set with `error_set`, if any: set means a non-zero handle to a non-empty block,
    /// as Extism decides it.
    func errorMessage() -> String? {
        guard errorHandle != 0, let bytes = try? memory.contents(of: errorHandle, for: "error_set"), !bytes.isEmpty
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws when the call's time is up, so a guest that keeps calling the kernel stops at its next call.
    @inline(__always)
    func checkInterrupt() throws {
        if let interrupt, interrupt.isInterrupted { throw CallInterrupted() }
    }

    // MARK: - Logging

    func shouldLog(_ level: PluginLogLevel) -> Bool {
        options.logHandler != nil && options.logLevel != .off && level >= options.logLevel
    }

    func log(_ level: PluginLogLevel, _ message: String, source: PluginLogEntry.Source = .extism) {
        guard shouldLog(level), let sink = options.logHandler else { return }
        guard logLines < options.limits.maxLogLines else {
            droppedLogLines += 1
            return
        }
        logLines += 1
        sink(PluginLogEntry(level: level, message: message, source: source, tag: logTag))
    }

    /// Appends bytes the guest wrote to WASI stdout (1) or stderr (2); whole lines are logged as they complete.
    func writeStream(_ descriptor: UInt32, _ bytes: some Collection<UInt8>) {
        if descriptor == 1 {
            stdoutBuffer.append(contentsOf: bytes)
            flushStream(&stdoutBuffer, source: .stdout, force: false)
        } else {
            stderrBuffer.append(contentsOf: bytes)
            flushStream(&stderrBuffer, source: .stderr, force: false)
        }
    }

    private func flushStream(_ buffer: inout [UInt8], source: PluginLogEntry.Source, force: Bool) {
        let level: PluginLogLevel = source == .stderr ? .error : .info
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            log(level, String(decoding: buffer[..<newline].prefix(Self.maxStreamLine), as: UTF8.self), source: source)
            buffer.removeSubrange(...newline)
        }
        if buffer.count > Self.maxStreamLine || (force && !buffer.isEmpty) {
            log(level, String(decoding: buffer.prefix(Self.maxStreamLine), as: UTF8.self), source: source)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
