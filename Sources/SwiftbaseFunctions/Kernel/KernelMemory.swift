#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Extism's kernel memory: the byte store, separate from the plug-in's linear memory, that input, output, config
/// values, vars, log messages and errors travel through. The guest names a place in it by a 64-bit offset;
/// offset 0 is Extism's null.
///
/// The guest is untrusted, so every offset it hands in is checked here: a read or write that is not wholly inside
/// the memory handed out so far, or a handle that is not the start of a block, throws ``KernelFault`` — the call
/// ends with a trap, the host never touches bytes it does not own.
///
/// Allocation follows the kernel's behaviour (a bump region plus reuse of freed blocks, a block split when a reuse
/// would waste 128 bytes or more) without its layout: block metadata lives in host dictionaries, not in the bytes
/// the guest can overwrite, and a block is found from its offset in O(1) instead of by a walk. Freed blocks are
/// kept by size, so a reuse is a binary search. ``reset()`` empties it between calls and zeroes what was used,
/// so nothing of one call is readable in the next.
///
/// Not thread-safe: it belongs to one plug-in instance, which runs on one thread at a time.
final class KernelMemory {
    /// A block handed out by `alloc`: `capacity` bytes reserved, `length` of them in use (what `length` answers).
    struct Block {
        var capacity: Int
        var length: Int
        var isFree: Bool
    }

    /// The first offset handed out. The bytes below it are never used, so no block starts at 0 (null) and a small
    /// integer that a buggy guest mistakes for a handle is never valid.
    static let firstOffset = 64
    /// Smallest surplus worth splitting off a reused block, as in Extism's kernel.
    static let splitThreshold = 128
    /// Growth step: the store grows in WebAssembly pages, as the kernel's memory does.
    static let pageSize = 65_536

    private var bytes: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    /// End of the bump region: every byte in `firstOffset..<top` has been handed out at some point.
    private(set) var top = KernelMemory.firstOffset
    private var blocks: [Int: Block] = [:]
    /// Offsets of free blocks, sorted by capacity (then offset), for best-fit reuse.
    private var freeBlocks: [(capacity: Int, offset: Int)] = []
    /// Asked before the store grows to a new capacity; throws to refuse (the plug-in's memory budget).
    private let reserve: (_ newCapacity: Int) throws -> Void

    init(reserve: @escaping (_ newCapacity: Int) throws -> Void = { _ in }) {
        self.reserve = reserve
    }

    deinit { free(bytes) }

    // MARK: - Allocation

    /// Allocates `count` bytes and returns the block's offset, or 0 for a zero-length request (as the kernel does).
    /// Throws when the memory budget refuses the growth.
    func allocate(_ count: UInt64) throws -> UInt64 {
        guard count > 0 else { return 0 }
        guard count <= UInt64(Int32.max) else { throw KernelFault.memoryExhausted(requested: count) }
        let count = Int(count)
        if let reused = reuseFreeBlock(count) { return UInt64(reused) }
        let offset = top
        try ensureCapacity(offset + count)
        top = offset + count
        blocks[offset] = Block(capacity: count, length: count, isFree: false)
        return UInt64(offset)
    }

    /// Allocates a block holding `data` and returns its offset; empty data gives the null offset, as Extism's
    /// `memory_new` does (so an empty config value reads as absent).
    func allocate<Bytes: Collection<UInt8>>(copying data: Bytes) throws -> UInt64 {
        let offset = try allocate(UInt64(data.count))
        guard offset != 0, let bytes else { return 0 }
        let destination = UnsafeMutableRawBufferPointer(start: bytes + Int(offset), count: data.count)
        destination.copyBytes(from: data)
        return offset
    }

    /// Frees the block starting at `offset`. Anything that is not a live block (0, a freed block, an offset into
    /// the middle of one) is ignored, as the kernel ignores it.
    func release(_ offset: UInt64) {
        guard let key = Int(exactly: offset), var block = blocks[key], !block.isFree else { return }
        if key + block.capacity == top {
            // The last block goes straight back to the bump region, zeroed as the region beyond `top` always is.
            blocks[key] = nil
            zero(key, block.capacity)
            top = key
            return
        }
        block.isFree = true
        block.length = 0
        blocks[key] = block
        insertFree(capacity: block.capacity, offset: key)
    }

    /// The used length of the live block starting at `offset`, or 0 when `offset` is not one (Extism's `length`).
    func length(of offset: UInt64) -> UInt64 {
        guard let key = Int(exactly: offset), let block = blocks[key], !block.isFree else { return 0 }
        return UInt64(block.length)
    }

    /// Forgets every block and zeroes the bytes handed out, keeping the capacity for the next call.
    func reset() {
        if let bytes, top > Self.firstOffset {
            memset(bytes + Self.firstOffset, 0, top - Self.firstOffset)
        }
        top = Self.firstOffset
        blocks.removeAll(keepingCapacity: true)
        freeBlocks.removeAll(keepingCapacity: true)
    }

    // MARK: - Access

    /// The live block at `handle` as (offset, length); throws when `handle` is not the start of a live block.
    func block(at handle: UInt64, for function: StaticString) throws -> (offset: Int, length: Int) {
        guard let key = Int(exactly: handle), let block = blocks[key], !block.isFree else {
            throw KernelFault.invalidHandle(handle, function: function)
        }
        return (key, block.length)
    }

    /// A copy of `count` bytes at `offset`; throws unless the range lies inside the memory handed out.
    func read(_ offset: UInt64, count: Int, for function: StaticString) throws -> [UInt8] {
        let start = try checkedRange(offset, count, for: function)
        guard count > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes + start, count: count))
    }

    /// The bytes of the live block at `handle`.
    func contents(of handle: UInt64, for function: StaticString) throws -> [UInt8] {
        let block = try block(at: handle, for: function)
        return try read(UInt64(block.offset), count: block.length, for: function)
    }

    func loadByte(_ offset: UInt64, for function: StaticString) throws -> UInt8 {
        let start = try checkedRange(offset, 1, for: function)
        return bytes.unsafelyUnwrapped.load(fromByteOffset: start, as: UInt8.self)
    }

    func loadWord(_ offset: UInt64, for function: StaticString) throws -> UInt64 {
        let start = try checkedRange(offset, 8, for: function)
        return UInt64(littleEndian: bytes.unsafelyUnwrapped.loadUnaligned(fromByteOffset: start, as: UInt64.self))
    }

    func storeByte(_ value: UInt8, at offset: UInt64, for function: StaticString) throws {
        let start = try checkedRange(offset, 1, for: function)
        bytes.unsafelyUnwrapped.storeBytes(of: value, toByteOffset: start, as: UInt8.self)
    }

    func storeWord(_ value: UInt64, at offset: UInt64, for function: StaticString) throws {
        let start = try checkedRange(offset, 8, for: function)
        bytes.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: start, as: UInt64.self)
    }

    /// Throws unless `offset..<offset+count` lies inside `firstOffset..<top`; returns the start as an index.
    func checkedRange(_ offset: UInt64, _ count: Int, for function: StaticString) throws -> Int {
        guard let start = Int(exactly: offset), start >= Self.firstOffset, count >= 0,
            start <= top, count <= top - start
        else {
            throw KernelFault.outOfBounds(offset, count: count, function: function)
        }
        return start
    }

    // MARK: - Helpers

    private func reuseFreeBlock(_ count: Int) -> Int? {
        var low = 0
        var high = freeBlocks.count
        while low < high {
            let middle = (low + high) / 2
            if freeBlocks[middle].capacity < count { low = middle + 1 } else { high = middle }
        }
        guard low < freeBlocks.count else { return nil }
        let (capacity, offset) = freeBlocks.remove(at: low)
        if capacity - count >= Self.splitThreshold {
            // Keep the front free and hand out the tail, as the kernel splits.
            let remaining = capacity - count
            blocks[offset] = Block(capacity: remaining, length: 0, isFree: true)
            insertFree(capacity: remaining, offset: offset)
            let tail = offset + remaining
            blocks[tail] = Block(capacity: count, length: count, isFree: false)
            zero(tail, count)
            return tail
        }
        blocks[offset] = Block(capacity: capacity, length: count, isFree: false)
        zero(offset, capacity)
        return offset
    }

    private func insertFree(capacity: Int, offset: Int) {
        var low = 0
        var high = freeBlocks.count
        while low < high {
            let middle = (low + high) / 2
            let entry = freeBlocks[middle]
            if entry.capacity < capacity || (entry.capacity == capacity && entry.offset < offset) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        freeBlocks.insert((capacity, offset), at: low)
    }

    /// A reused block starts zeroed, like a fresh one, so a plug-in never sees what it freed earlier by accident;
    /// the bytes past `top` are kept zeroed for the same reason.
    private func zero(_ offset: Int, _ count: Int) {
        guard let bytes else { return }
        memset(bytes + offset, 0, count)
    }

    private func ensureCapacity(_ needed: Int) throws {
        guard needed > capacity else { return }
        var newCapacity = max(capacity * 2, Self.pageSize)
        while newCapacity < needed { newCapacity *= 2 }
        newCapacity = (newCapacity + Self.pageSize - 1) / Self.pageSize * Self.pageSize
        try reserve(newCapacity)
        guard let grown = realloc(bytes, newCapacity) else {
            throw KernelFault.memoryExhausted(requested: UInt64(needed))
        }
        memset(grown + capacity, 0, newCapacity - capacity)
        bytes = grown
        capacity = newCapacity
    }
}
