import Testing

@testable import SwiftbaseCore

@Suite struct IdentifiersTests {
    @Test func collectionIDsMatchPocketBase() {
        #expect(Identifiers.collectionID(type: .base, name: "posts") == "pbc_1125843985")
        #expect(Identifiers.collectionID(type: .auth, name: "_superusers") == SystemCollections.superusersID)
    }

    @Test func fieldIDsMatchPocketBase() {
        #expect(Identifiers.fieldID(type: "text", name: "title") == "text724990059")
    }

    @Test func crc32OfKnownVectors() {
        #expect(CRC32.checksum("") == 0)
        #expect(CRC32.checksum("123456789") == 0xCBF4_3926)
    }

    @Test func recordIDsAreFifteenLowercaseAlphanumerics() {
        let id = Identifiers.recordID()
        #expect(id.count == 15)
        #expect(id.allSatisfy { $0.isLowercase || $0.isNumber })
    }

    @Test(arguments: [
        ("[a-z0-9]{15}", 15...15), ("[a-zA-Z0-9]{50}", 50...50), ("abc-[0-9]{3}", 7...7), ("x{2,4}", 2...4),
        ("(foo|bar)_\\d+", 5...11), ("[^a-z]{5}", 5...5), ("^prefix[A-F]?$", 6...7),
    ])
    func generatedStringsMatchTheirPattern(pattern: String, lengths: ClosedRange<Int>) throws {
        for _ in 0..<20 {
            let value = try RandomString.matching(pattern)
            #expect(lengths.contains(value.count), "\(pattern) → \(value)")
            #expect(PatternCache.matches("^(?:" + pattern + ")$", value), "\(pattern) → \(value)")
        }
    }

    @Test(arguments: ["(abc", "[a-z", "a{2,1}", "*a", "\\"])
    func unusablePatternsThrow(pattern: String) {
        #expect(throws: RandomString.PatternError.self) { try RandomString.matching(pattern) }
    }

    @Test func timeOrderedIDsHaveARecordIDsFormAndSortByTheirTime() {
        let alphabet = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        #expect(Identifiers.timeOrderedID(millisecondsSince1970: 0).hasPrefix("00000000"))
        #expect(Identifiers.timeOrderedID(millisecondsSince1970: 35).hasPrefix("0000000z"))
        #expect(Identifiers.timeOrderedID(millisecondsSince1970: 2_821_109_907_455).hasPrefix("zzzzzzzz"))
        var previous = ""
        for milliseconds in stride(from: Int64(1_765_000_000_000), to: 1_765_000_000_000 + 5_000, by: 37) {
            let id = Identifiers.timeOrderedID(millisecondsSince1970: milliseconds)
            #expect(id.count == 15 && id.allSatisfy(alphabet.contains), "\(id)")
            #expect(id > previous, "\(id) after \(previous)")
            previous = id
        }
    }
}
