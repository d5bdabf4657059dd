import Synchronization
internal import WasmKit

/// Stops a running call from another thread when its time is up.
///
/// WasmKit 0.4.2 has no interrupt API: a call runs synchronously until it returns, traps, or runs out of fuel.
/// So the watchdog stops a guest two ways:
/// - it raises a flag that every kernel (`extism:host/env`) and WASI host function checks on entry, so a guest
///   that calls into the host stops at its next call;
/// - it starves the store of fuel (sets the remaining budget to 0), so a guest in a pure compute loop traps at its
///   next fuel checkpoint (every loop iteration and function entry) — within microseconds.
///
/// The second is a write to the store's fuel counter from a thread other than the one running the interpreter.
/// WasmKit keeps that counter as a plain 64-bit integer and reads it at every checkpoint, so the write is seen,
/// but it is a data race outside Swift's memory model: a checkpoint that read the old value just before may write
/// back its own decrement over the 0. ``FunctionRuntime`` therefore repeats the write every millisecond until the
/// call has returned. An aligned 64-bit store does not tear on the platforms Swift runs servers on. The fuel budget
/// itself (``PluginLimits/fuel``) stays the hard bound if all else fails. A guest blocked inside a host function
/// that does not return (an HTTP client ignoring its timeout) is not stopped by either; the caller still gets its
/// timeout at once, and the thread is busy until the host function returns.
final class CallInterrupt: Sendable {
    /// When the call's time is up, counted from its submission.
    let deadline: ContinuousClock.Instant?
    private let interrupted = Atomic<Bool>(false)
    private let running = Mutex<RunningStore?>(nil)

    /// A store handed to the watchdog thread; only its fuel is touched there (see above).
    private struct RunningStore: @unchecked Sendable {
        let store: Store
    }

    init(deadline: ContinuousClock.Instant?) {
        self.deadline = deadline
    }

    var isInterrupted: Bool { interrupted.load(ordering: .acquiring) }

    /// The guest thread names the store it is about to run; throws if the call was interrupted already.
    func attach(_ store: Store) throws {
        try running.withLock { running in
            if interrupted.load(ordering: .acquiring) { throw CallInterrupted() }
            running = RunningStore(store: store)
        }
    }

    /// The guest thread is done with the store: from here on the watchdog leaves it alone.
    func detach() {
        running.withLock { $0 = nil }
    }

    /// Marks the call interrupted and starves its store of fuel. Returns `true` while a store is still attached,
    /// i.e. while the watchdog should repeat the write.
    @discardableResult
    func interrupt() -> Bool {
        interrupted.store(true, ordering: .releasing)
        return running.withLock { running in
            guard let running else { return false }
            running.store.fuel = Fuel(remaining: 0)
            return true
        }
    }
}

/// Thrown inside a call that was interrupted; the call ends with ``FunctionError/Code/timeout``.
struct CallInterrupted: Error, CustomStringConvertible {
    var description: String { "timeout" }
}
