/// A guest's misuse of an `extism:host/env` function: an offset outside Extism memory, a handle that is not a
/// block. Thrown from the host function, it ends the call as a trap whose message names the function and the
/// offset, so the plug-in's author can find the bug.
struct KernelFault: Error, CustomStringConvertible {
    let description: String

    static func outOfBounds(_ offset: UInt64, count: Int, function: StaticString) -> KernelFault {
        KernelFault(
            description: "extism:host/env \(function): \(count) byte(s) at offset \(offset) are outside Extism memory"
        )
    }

    static func invalidHandle(_ handle: UInt64, function: StaticString) -> KernelFault {
        KernelFault(description: "extism:host/env \(function): \(handle) is not the offset of an allocated block")
    }

    static func memoryExhausted(requested: UInt64) -> KernelFault {
        KernelFault(description: "extism:host/env alloc: cannot allocate \(requested) bytes")
    }

    static func message(_ text: String) -> KernelFault {
        KernelFault(description: text)
    }
}
