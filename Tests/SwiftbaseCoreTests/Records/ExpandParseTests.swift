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

    @Test func pathsAreReadAsPocketBaseReadsThem() throws {
        func depth(_ tree: ExpandTree) -> Int { tree.children.values.map { 1 + depth($0) }.max() ?? 0 }
        #expect(try RecordExpander.parse("author..team").isEmpty)  // an empty segment inside: no path
        let spaced = try RecordExpander.parse(" .author . team. ")
        #expect(spaced.children["author"]?.children.keys.sorted() == ["team"])
        #expect(spaced.failsWholePaths)
        #expect(try depth(RecordExpander.parse(Array(repeating: "parent", count: 8).joined(separator: "."))) == 6)
        #expect(ExpandTree().failsWholePaths == false)
    }
}
