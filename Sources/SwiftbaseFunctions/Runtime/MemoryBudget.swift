import Synchronization
// `Store.resourceLimiter` is SPI in WasmKit 0.4.2 ("consider making this public"); it is the only way to cap the
// memory a module declares itself (a plug-in exports its own memory, so an imported memory with a maximum cannot
// be used). The package is pinned to 0.4.x.
@_spi(Fuzzing) internal import WasmKit

/// The memory one plug-in instance may hold: its linear memory and its Extism memory together, as Extism's
/// `memory.max_pages` counts both. Growth past it throws ``MemoryLimitExceeded`` — from `memory.grow` inside the
/// guest, from instantiation when a module's initial memory is already too large, or from `alloc` — and the call
/// ends with ``FunctionError/Code/memoryLimitExceeded``, as Extism ends it with "oom".
///
/// The linear side is the size of the memory last grown: plug-ins have one memory. Thread-confined, like the store
/// it is installed in; `Sendable` only because WasmKit's protocol asks for it.
final class MemoryBudget: ResourceLimiter, @unchecked Sendable {
    let limit: Int
    private(set) var linearBytes = 0
    private(set) var kernelBytes = 0

    init(limit: Int) {
        self.limit = limit
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= limit - kernelBytes else { throw MemoryLimitExceeded(limit: limit) }
        linearBytes = desired
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        // A table entry is a reference: bound tables too, so a guest cannot allocate around the budget with them.
        desired <= limit / 8
    }

    func reserveKernel(_ capacity: Int) throws {
        guard capacity <= limit - linearBytes else { throw MemoryLimitExceeded(limit: limit) }
        kernelBytes = capacity
    }

    func install(in store: Store) {
        store.resourceLimiter = self
    }
}

/// A plug-in tried to grow past ``PluginLimits/memoryBytes``.
struct MemoryLimitExceeded: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "memory limit exceeded: the plug-in may use \(limit >> 20) MiB" }
}
