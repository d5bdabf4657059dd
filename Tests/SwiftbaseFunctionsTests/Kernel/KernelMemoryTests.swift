@testable import SwiftbaseFunctions
import Testing

/// Extism memory: allocation, reuse, bounds, reset and the budget.
@Suite("Kernel memory")
struct KernelMemoryTests {
    @Test func allocationsAreDistinctNonNullBlocksWithTheirLength() throws {
        let memory = KernelMemory()
        let first = try memory.allocate(10)
        let second = try memory.allocate(3)
        #expect(first != 0 && second != 0 && first != second)
        #expect(second >= first + 10)
        #expect(memory.length(of: first) == 10)
        #expect(memory.length(of: second) == 3)
        #expect(try memory.allocate(0) == 0)
        #expect(memory.length(of: 0) == 0)
        #expect(memory.length(of: first + 1) == 0, "an offset inside a block is not a handle")
    }

    @Test func aFreedBlockIsReusedZeroedAndLargeOnesAreSplit() throws {
        let memory = KernelMemory()
        let big = try memory.allocate(1_000)
        let guardBlock = try memory.allocate(8)  // keeps `big` from going back to the bump region
        try memory.storeWord(0xFFFF_FFFF_FFFF_FFFF, at: big, for: "test")
        memory.release(big)
        #expect(memory.length(of: big) == 0)
        // 1,000 - 100 leaves more than 128 bytes: the tail is handed out, the front stays free.
        let small = try memory.allocate(100)
        #expect(small == big + 900)
        #expect(memory.length(of: small) == 100)
        let front = try memory.allocate(900)
        #expect(front == big)
        #expect(try memory.loadWord(front, for: "test") == 0, "a reused block starts zeroed")
        #expect(memory.length(of: guardBlock) == 8)
    }

    @Test func theLastBlockFreedGoesBackToTheBumpRegion() throws {
        let memory = KernelMemory()
        let first = try memory.allocate(16)
        let last = try memory.allocate(16)
        try memory.storeByte(7, at: last, for: "test")
        memory.release(last)
        #expect(memory.top == Int(last))
        #expect(throws: KernelFault.self) { try memory.loadByte(last, for: "test") }
        let again = try memory.allocate(16)
        #expect(again == last)
        #expect(try memory.loadByte(again, for: "test") == 0)
        #expect(memory.length(of: first) == 16)
    }

    @Test(arguments: [
        (UInt64(0), 1), (UInt64(1) << 40, 8), (UInt64.max, 1), (UInt64.max - 3, 8), (UInt64(63), 1),
    ])
    func readsOutsideTheMemoryHandedOutThrow(offset: UInt64, count: Int) throws {
        let memory = KernelMemory()
        _ = try memory.allocate(64)
        #expect(throws: KernelFault.self) { try memory.read(offset, count: count, for: "test") }
    }

    @Test func aWordRunningPastTheLastBlockThrows() throws {
        let memory = KernelMemory()
        let block = try memory.allocate(12)
        #expect(throws: Never.self) { try memory.loadWord(block + 4, for: "test") }
        #expect(throws: KernelFault.self) { try memory.loadWord(block + 5, for: "test") }
        #expect(throws: KernelFault.self) { try memory.contents(of: block + 1, for: "test") }
    }

    @Test func resetForgetsEveryBlockAndZeroesTheBytes() throws {
        let memory = KernelMemory()
        let block = try memory.allocate(copying: Array("secret".utf8))
        memory.reset()
        #expect(memory.length(of: block) == 0)
        let again = try memory.allocate(6)
        #expect(again == block)
        #expect(try memory.read(again, count: 6, for: "test") == [0, 0, 0, 0, 0, 0])
    }

    @Test func growthPastTheBudgetIsRefused() throws {
        let budget = MemoryBudget(limit: 256 << 10)
        let memory = KernelMemory(reserve: { try budget.reserveKernel($0) })
        _ = try memory.allocate(100 << 10)
        #expect(throws: MemoryLimitExceeded.self) { try memory.allocate(300 << 10) }
        // What was allocated stays usable.
        #expect(try memory.allocate(10) != 0)
    }

    @Test func theBudgetCountsLinearAndExtismMemoryTogether() throws {
        let budget = MemoryBudget(limit: 4 * 65_536)
        #expect(try budget.limitMemoryGrowth(to: 2 * 65_536))
        #expect(throws: Never.self) { try budget.reserveKernel(2 * 65_536) }
        #expect(throws: MemoryLimitExceeded.self) { try budget.reserveKernel(3 * 65_536) }
        #expect(throws: MemoryLimitExceeded.self) { try budget.limitMemoryGrowth(to: 3 * 65_536) }
    }
}
