internal import WasmKit

/// Bounds-checked access to the calling instance's linear memory (its `memory` export), for the WASI stubs.
///
/// WasmKit's own accessors stop the process on an out-of-bounds range (a precondition); every range a guest
/// passes is checked here first and refused with a trap instead.
struct GuestMemoryAccess {
    private let memory: Memory?
    /// Most iovecs one `fd_write` may pass, as POSIX's IOV_MAX.
    static let maxIOVectors: UInt64 = 1_024

    init(caller: borrowing Caller) {
        memory = caller.instance?.exports[memory: "memory"]
    }

    func read(_ offset: UInt64, count: Int) throws -> [UInt8] {
        let (memory, start) = try checked(offset, count)
        return memory.withUnsafeBufferPointer(offset: UInt(start), count: count) { Array($0) }
    }

    func write(_ bytes: [UInt8], at offset: UInt64) throws {
        let (memory, start) = try checked(offset, bytes.count)
        memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: bytes.count) { $0.copyBytes(from: bytes) }
    }

    /// Runs `body` over `count` writable bytes at `offset`, once the range is known to be inside the memory.
    func withWritableBytes(at offset: UInt64, count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) throws {
        let (memory, start) = try checked(offset, count)
        memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: count, body)
    }

    func load32(_ offset: UInt64) throws -> UInt32 {
        let bytes = try read(offset, count: 4)
        return bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    func store32(_ value: UInt32, at offset: UInt64) throws {
        try write((0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }, at: offset)
    }

    func store64(_ value: UInt64, at offset: UInt64) throws {
        try write((0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }, at: offset)
    }

    /// The (offset, length) pairs of a WASI iovec array.
    func ioVectors(at offset: UInt64, count: UInt64) throws -> [(offset: UInt64, length: Int)] {
        guard count <= Self.maxIOVectors else { throw KernelFault.message("wasi fd_write: too many iovecs (\(count))") }
        return try (0..<count).map { index in
            let entry = offset + index * 8
            return (UInt64(try load32(entry)), Int(try load32(entry + 4)))
        }
    }

    private func checked(_ offset: UInt64, _ count: Int) throws -> (Memory, Int) {
        guard let memory else { throw KernelFault.message("wasi: the plug-in exports no memory named \"memory\"") }
        guard let start = Int(exactly: offset), count >= 0, start <= memory.byteCount,
            count <= memory.byteCount - start
        else {
            throw KernelFault.message("wasi: \(count) byte(s) at \(offset) are outside the plug-in's memory")
        }
        return (memory, start)
    }
}
