import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

@Suite struct StrictJSONParserTests {
    @Test func depthLimit() throws {
        let ok =
            String(repeating: "[", count: StrictJSONParser.maxDepth)
            + String(repeating: "]", count: StrictJSONParser.maxDepth)
        _ = try StrictJSONParser.parseDocument(Array(ok.utf8))
        let tooDeep = "[" + ok + "]"
        #expect(throws: StrictJSONParser.Failure.self) { try StrictJSONParser.parseDocument(Array(tooDeep.utf8)) }
    }

    @Test(arguments: [
        (#"{"a":[{"b":1,"b":2}]}"#, "duplicate object name"),
        (#"{"a":1} x"#, "trailing data"),
        (#"{"a":"\ud800x"}"#, "unpaired surrogate escape"),
        (#"{"a":"\udc00"}"#, "unpaired surrogate escape"),
        (#"{"a":-1e400}"#, "number out of range"),
    ])
    func failures(text: String, reason: String) {
        #expect {
            try StrictJSONParser.parseDocument(Array(text.utf8))
        } throws: { error in
            (error as? StrictJSONParser.Failure)?.reason == reason
        }
    }

    @Test(arguments: [
        (
            #" {"n":-0.5e-3,"z":0,"big":1.7976931348623157e308,"tiny":5e-400} "#,
            ["n": -0.0005, "z": 0, "big": .number(1.7976931348623157e308), "tiny": 0] as JSONValue
        )
    ])
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try StrictJSONParser.parseDocument(Array(text.utf8)) == expected)
    }

    @Test func leadingValueLeavesPosition() throws {
        var parser = StrictJSONParser(Array(#"  {"a":1}rest"#.utf8))
        #expect(try parser.parseLeadingValue() == ["a": 1])
        #expect(parser.position == 9)
    }
}
