#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import WasmKit

/// One WasmKit execution stack per thread, reused by every call made on that thread.
///
/// `Function.invoke(_:)` allocates a fresh interpreter stack (512 KiB) for each call and frees it afterwards; on a
/// server answering many short calls that allocation is a measurable part of a cold call. Guest threads live long,
/// so each keeps one stack. A call that starts while the thread's stack is in use (a host function calling into
/// another plug-in on the same thread) gets a stack of its own instead.
final class ThreadExecutionStack {
    private var stack: ExecutionStack
    private var inUse = false

    private init() {
        stack = ExecutionStack(engine: PluginEngine.running)
    }

    /// Calls `function` on this thread's stack.
    static func invoke(_ function: Function) throws -> [Value] {
        let reusable = current()
        guard !reusable.inUse else { return try function.invoke([]) }
        reusable.inUse = true
        defer { reusable.inUse = false }
        return try function.invoke([], on: &reusable.stack)
    }

    private static func current() -> ThreadExecutionStack {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<ThreadExecutionStack>.fromOpaque(existing).takeUnretainedValue()
        }
        let created = ThreadExecutionStack()
        pthread_setspecific(key, Unmanaged.passRetained(created).toOpaque())
        return created
    }

    /// The thread-specific slot; its destructor releases the thread's stack when the thread exits.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
            Unmanaged<ThreadExecutionStack>.fromOpaque(pointer).release()
            #else
            if let pointer { Unmanaged<ThreadExecutionStack>.fromOpaque(pointer).release() }
            #endif
        }
        return key
    }()
}
