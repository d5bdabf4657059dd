import Testing

@testable import SwiftbaseHTTP

@Suite("Byte ranges")
struct ByteRangesTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRanges.Outcome.ranges([0...9])),
        ("bytes=90-200", .ranges([90...99])),
        ("bytes=-10", .ranges([90...99])),
        ("bytes=95-", .ranges([95...99])),
        ("bytes=0-0,5-6", .ranges([0...0, 5...6])),
        ("bytes=100-", .noOverlap),
        ("bytes=5-2", .malformed),
        ("items=0-1", .malformed),
        ("bytes=abc", .malformed),
    ])
    func parses(header: String, outcome: ByteRanges.Outcome) {
        #expect(ByteRanges.parse(header, size: 100) == outcome)
    }
}
