internal import Foundation
import Synchronization

/// Runs plug-ins from async code: each call on a guest thread of its own, with its limits and a wall-clock timeout.
///
/// A call is cold (a new instance of the compiled module) or warm (an idle instance kept by the plug-in, see
/// ``PluginOptions/warmInstances``). Fuel and memory limits are enforced inside the call; the timeout, counted from
/// submission, answers the caller with ``FunctionError/Code/timeout`` as soon as it passes — even while the guest is
/// still running — and then stops the guest as ``CallInterrupt`` describes. Cancelling the awaiting task stops the
/// guest the same way. One failing call affects nothing but itself.
///
/// ```swift
/// let runtime = FunctionRuntime()
/// let plugin = try await runtime.compile(wasm, requiredExports: ["count_vowels"])
/// let result = try await runtime.call(plugin, PluginCall("count_vowels", input: "Hello, World!"))
/// print(result.text)  // {"count": 3, …}
/// ```
public final class FunctionRuntime: Sendable {
    public struct Configuration: Sendable {
        /// Guest threads: the most calls that run at once; more wait in line (their timeout counting).
        public var threads: Int
        /// Native stack of each guest thread. WebAssembly frames live on WasmKit's own stack; this one holds the
        /// interpreter and host functions.
        public var threadStackSize: Int

        /// One thread per core, at least two.
        public static var defaultThreads: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

        public init(threads: Int = Configuration.defaultThreads, threadStackSize: Int = 8 << 20) {
            self.threads = threads
            self.threadStackSize = threadStackSize
        }
    }

    private let pool: GuestThreadPool
    private let watchdog = CallWatchdog()

    public init(configuration: Configuration = Configuration()) {
        pool = GuestThreadPool(maximumThreads: configuration.threads, stackSize: configuration.threadStackSize)
    }

    /// Guest threads started so far.
    public var threadCount: Int { pool.threadCount }

    /// Compiles and validates a plug-in (see ``Plugin``) on a guest thread: validation translates every function
    /// body, which takes a while for a large module. Then makes its prepared instances, if it asks for any.
    public func compile(
        _ wasm: [UInt8], options: PluginOptions = PluginOptions(), requiredExports: [String] = []
    ) async throws(FunctionError) -> Plugin {
        let result: Result<Plugin, FunctionError> = await withCheckedContinuation { continuation in
            pool.submit {
                let result = Result { () throws(FunctionError) -> Plugin in
                    try Plugin(wasm: wasm, options: options, requiredExports: requiredExports)
                }
                continuation.resume(returning: result)
                if case .success(let plugin) = result { plugin.prepareInstances() }
            }
        }
        return try result.get()
    }

    /// Calls `call.export` of `plugin` on a guest thread and waits for its output, its error, or its timeout.
    public func call(_ plugin: Plugin, _ call: PluginCall) async throws(FunctionError) -> PluginOutput {
        let deadline = plugin.options.limits.timeout.map { ContinuousClock.now + $0 }
        let interrupt = CallInterrupt(deadline: deadline)
        let answer = Answer()
        let result: Result<PluginOutput, FunctionError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.wait(with: continuation)
                let ticket = deadline.map { deadline in
                    watchdog.register(
                        deadline: deadline,
                        onTimeout: { answer.give(.failure(FunctionError(.timeout, "timeout"))) },
                        onRepeat: { interrupt.interrupt() })
                }
                plugin.gate.submit(
                    { [watchdog] in
                        let result = Self.run(plugin, call, interrupt: interrupt)
                        if let ticket { watchdog.cancel(ticket) }
                        answer.give(result)
                        // After the answer: the caller does not wait for the next fresh instance.
                        plugin.prepareInstances()
                    }, on: pool)
            }
        } onCancel: {
            answer.give(.failure(FunctionError(.cancelled, "cancelled")))
            // Stopped as a timed-out call is: at once, then every millisecond while it runs.
            _ = watchdog.register(deadline: .now, onTimeout: {}, onRepeat: { interrupt.interrupt() })
        }
        return try result.get()
    }

    /// Calls `call.export` of `plugin` on the calling thread, blocking it until the call returns: for a caller that
    /// must wait anyway on a thread of its own (a record hook inside its write transaction), without the hops to a
    /// guest thread and back. The timeout stops the guest as ``CallInterrupt`` describes (there is no early answer:
    /// the thread is the guest's). Answers `nil`, without calling, when the plug-in already runs as many calls as
    /// ``PluginOptions/maxConcurrentCalls`` allows (then wait for ``call(_:_:)`` instead). Never call it from Swift's
    /// cooperative pool.
    public func callOnCurrentThread(_ plugin: Plugin, _ call: PluginCall) throws(FunctionError) -> PluginOutput? {
        guard plugin.gate.tryEnter() else { return nil }
        defer { plugin.gate.leave(handingNextTo: pool) }
        let deadline = plugin.options.limits.timeout.map { ContinuousClock.now + $0 }
        let interrupt = CallInterrupt(deadline: deadline)
        let ticket = deadline.map { deadline in
            watchdog.register(deadline: deadline, onTimeout: {}, onRepeat: { interrupt.interrupt() })
        }
        defer { if let ticket { watchdog.cancel(ticket) } }
        return try Self.run(plugin, call, interrupt: interrupt).get()
    }

    /// Runs on a guest thread: takes a warm instance, or a prepared fresh one, or makes one; calls it; and keeps it
    /// for later when it may be reused.
    private static func run(
        _ plugin: Plugin, _ call: PluginCall, interrupt: CallInterrupt
    ) -> Result<PluginOutput, FunctionError> {
        if interrupt.isInterrupted { return .failure(FunctionError(.timeout, "timeout")) }
        do throws(FunctionError) {
            let instance: PluginInstance
            if let idle = plugin.takeIdleInstance() {
                instance = idle
            } else if let fresh = plugin.takePreparedInstance() {
                instance = fresh
            } else {
                instance = try PluginInstance(plugin, interrupt: interrupt)
            }
            defer { plugin.returnIdleInstance(instance) }
            return .success(try instance.call(call, interrupt: interrupt))
        } catch {
            return .failure(error)
        }
    }

}

/// The one answer a call gets: from the guest thread, the watchdog or cancellation, whichever comes first.
private final class Answer: Sendable {
    private let state = Mutex<State>(State())

    private struct State {
        var continuation: CheckedContinuation<Result<PluginOutput, FunctionError>, Never>?
        var early: Result<PluginOutput, FunctionError>?
        var answered = false
    }

    func wait(with continuation: CheckedContinuation<Result<PluginOutput, FunctionError>, Never>) {
        let early = state.withLock { state -> Result<PluginOutput, FunctionError>? in
            if let early = state.early {
                state.early = nil
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ result: Result<PluginOutput, FunctionError>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<PluginOutput, FunctionError>, Never>? in
            guard !state.answered else { return nil }
            state.answered = true
            guard let continuation = state.continuation else {
                // Cancelled before the continuation was handed over.
                state.early = result
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: result)
    }
}

