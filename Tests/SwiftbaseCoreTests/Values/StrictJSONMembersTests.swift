import Testing

@testable import SwiftbaseCore

/// `StrictJSONParser.objectMembers`: the top-level members as names and value bytes, checked as `parseDocument`
/// checks the whole document.
struct StrictJSONMembersTests {
    static func members(_ text: String) throws -> [StrictJSONParser.Member]? {
        try StrictJSONParser.objectMembers(Array(text.utf8))
    }

    @Test func membersComeInOrderWithTheirValuesBytesAsSent() throws {
        let text = #" {"status": 201, "body" : {"b": [1, 2.50], "a": "\u00e9"} ,"n":null} "#
        let members = try #require(try Self.members(text))
        let bytes = Array(text.utf8)
        #expect(members.map(\.name) == ["status", "body", "n"])
        #expect(members.map { String(decoding: bytes[$0.value], as: UTF8.self) } == [
            "201", #"{"b": [1, 2.50], "a": "\u00e9"}"#, "null",
        ])
        #expect(try Self.members("{}") == [])
    }

    @Test func validJSONThatIsNoObjectIsNil() throws {
        for text in ["[1]", " \"s\" ", "12", "null", "true"] {
            #expect(try Self.members(text) == nil, "\(text)")
        }
    }

    @Test(arguments: [
        (#"{"a":[{"b":1,"b":2}]}"#, "duplicate object name"),
        (#"{"a":1,"a":2}"#, "duplicate object name"),
        (#"{"a":1} x"#, "trailing data"),
        (#"{"a":{"b":"\ud800x"}}"#, "unpaired surrogate escape"),
        (#"{"a":["\udc00"]}"#, "unpaired surrogate escape"),
        (#"{"a":[-1e400]}"#, "number out of range"),
        ("{\"a\":" + String(repeating: "9", count: 310) + "}", "number out of range"),
        ("{\"a\":\"\u{1}\"}", "control character in string"),
        (#"{"a":"\x"}"#, "invalid escape"),
        (#"{"a":01}"#, "expected ',' or '}'"),
        (#"{"a":[1,]}"#, "unexpected character"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":tru}"#, "invalid literal"),
        (#"{"a":"x"#, "unterminated string"),
    ])
    func failuresAreParseDocuments(text: String, reason: String) {
        #expect(throws: StrictJSONParser.Failure.self) { try StrictJSONParser.parseDocument(Array(text.utf8)) }
        #expect {
            try Self.members(text)
        } throws: { error in
            (error as? StrictJSONParser.Failure)?.reason == reason
        }
    }

    @Test func invalidUTF8InANestedStringFails() throws {
        let bytes = Array(#"{"a":{"b":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        #expect(throws: StrictJSONParser.Failure.self) { try StrictJSONParser.objectMembers(bytes) }
        let valid = Array(#"{"a":{"b":""#.utf8) + [0xC3, 0xA9] + Array(#"\n"}}"#.utf8)
        #expect(try StrictJSONParser.objectMembers(valid)?.map(\.name) == ["a"])
    }

    @Test func theDepthLimitIsTheParsers() throws {
        let deepest = String(repeating: "[", count: StrictJSONParser.maxDepth - 1)
            + String(repeating: "]", count: StrictJSONParser.maxDepth - 1)
        #expect(try Self.members(#"{"a":\#(deepest)}"#)?.count == 1)
        #expect(throws: StrictJSONParser.Failure.self) { try Self.members(#"{"a":[\#(deepest)]}"#) }
        #expect(throws: StrictJSONParser.Failure.self) {
            try StrictJSONParser.parseDocument(Array(#"{"a":[\#(deepest)]}"#.utf8))
        }
    }

    /// On 5,000 random documents (objects of nested values with escapes, non-ASCII text, huge and tiny numbers and
    /// duplicate names), half of them with one byte changed: `objectMembers` fails exactly when `parseDocument`
    /// does, and each member's bytes parse to the value `parseDocument` found for that name.
    @Test func agreesWithParseDocumentOnRandomDocuments() throws {
        var random = SplitMix64(seed: 0x1505)
        let junk: [UInt8] = Array(#"{}[]",:\ u0aZ-.e+9"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xE2, 0xFF]
        var objects = 0
        var failures = 0
        for round in 0..<5_000 {
            var bytes = Array(Self.object(depth: 0, &random).utf8)
            if round % 2 == 1, !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = junk.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(junk.randomElement(using: &random)!, at: index)
                }
            }
            let parsed = try? StrictJSONParser.parseDocument(bytes)
            let members = Result { try StrictJSONParser.objectMembers(bytes) }
            switch (parsed, members) {
            case (nil, .failure): failures += 1
            case (let value?, .success(let members)):
                guard case .object(let object) = value else {
                    #expect(members == nil, "\(String(decoding: bytes, as: UTF8.self))")
                    continue
                }
                objects += 1
                let found = try #require(members)
                #expect(found.count == object.count)
                for member in found {
                    #expect(try StrictJSONParser.parseDocument(Array(bytes[member.value])) == object[member.name])
                }
            default:
                Issue.record("parseDocument and objectMembers disagree on \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // Both sides of the property are exercised: about 1,500 valid objects, over 3,000 failures.
        #expect(objects > 1_000 && failures > 1_000)
    }

    static func object(depth: Int, _ random: inout SplitMix64) -> String {
        let names = ["a", "b", "é", "\\u00e9", "k\\n", "status", "body"]
        let count = Int.random(in: 0...4, using: &random)
        let members = (0..<count).map { _ in
            "\"\(names.randomElement(using: &random)!)\"" + [":", " : "].randomElement(using: &random)!
                + value(depth: depth + 1, &random)
        }
        return "{" + members.joined(separator: [",", ", "].randomElement(using: &random)!) + "}"
    }

    static func value(depth: Int, _ random: inout SplitMix64) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 3 : 5), using: &random) {
        case 0:
            let strings = [#""""#, #""plain""#, #""caf\u00e9 \ud83d\ude00""#, "\"é€😀\"", #""tab\t\"q\" \/""#, #""\ud800""#]
            return strings.randomElement(using: &random)!
        case 1:
            let numbers = [
                "0", "-0.5e-3", "12345678901234567890123", "1e400", "5e-400", "1.7976931348623157e308",
                String(repeating: "9", count: 309), "-12",
            ]
            return numbers.randomElement(using: &random)!
        case 2: return ["true", "false", "null"].randomElement(using: &random)!
        case 3:
            let count = Int.random(in: 0...3, using: &random)
            return "[" + (0..<count).map { _ in value(depth: depth + 1, &random) }.joined(separator: ",") + "]"
        default: return object(depth: depth, &random)
        }
    }
}
