import SwiftbaseCore
import Testing

@Suite struct ExpandParseTests {
    @Test func anExpandUpToTheLimitParsesAndLongerIsA400() throws {
        let paths = Array(repeating: "author.team", count: RecordExpander.maxLength / 12)
        let atLimit = paths.joined(separator: ",")
        #expect(atLimit.utf8.count <= RecordExpander.maxLength)
        #expect(try RecordExpander.parse(atLimit).children.keys.sorted() == ["author"])
        #expect(throws: SwiftbaseError.badRequest()) {
            try RecordExpander.parse(atLimit + "," + String(repeating: "x", count: 20))
        }
    }
}
