import Testing

@testable import SwiftbaseCore

@Suite struct FieldsProjectionTests {
    static let record: JSONValue = [
        "id": "r1",
        "title": "lorem",
        "body": "<p>Hello <b>world</b></p><p>again</p>",
        "n": 5,
        "tags": ["a", "b"],
        "expand": [
            "author": ["id": "u1", "name": "Ann", "email": "ann@example.com"],
            "comments": [
                ["id": "c1", "text": "first", "by": ["id": "u2", "name": "Bob"]],
                ["id": "c2", "text": "second", "by": ["id": "u3", "name": "Cid"]],
            ],
            "labels": ["x", "y"],
        ],
    ]

    static let projectionCases: [(String, JSONValue)] = [
        ("id", ["id": "r1"]),
        ("id,title", ["id": "r1", "title": "lorem"]),
        (" id , title ,, ", ["id": "r1", "title": "lorem"]),
        ("missing", [:]),
        ("id,missing", ["id": "r1"]),
        ("expand.author.name", ["expand": ["author": ["name": "Ann"]]]),
        ("expand.author.name,expand.author.id", ["expand": ["author": ["name": "Ann", "id": "u1"]]]),
        (
            "expand.author,expand.author.name",
            ["expand": ["author": ["id": "u1", "name": "Ann", "email": "ann@example.com"]]]
        ),
        ("expand.comments.text", ["expand": ["comments": [["text": "first"], ["text": "second"]]]]),
        ("expand.comments.by.name", ["expand": ["comments": [["by": ["name": "Bob"]], ["by": ["name": "Cid"]]]]]),
        ("expand.labels.x", ["expand": ["labels": ["x", "y"]]]),
        ("title.length", ["title": "lorem"]),
        ("expand.missing.x", ["expand": [:]]),
        ("Id", [:]),
        ("id.", ["id": "r1"]),
        ("expand.", FieldsProjectionTests.record["expand"].map { ["expand": $0] } ?? [:]),
    ]

    @Test func aFieldsValueOverTheLimitIsA400() throws {
        let atLimit = String(repeating: "id,", count: FieldsProjection.maxLength / 3)
        #expect(throws: Never.self) { try FieldsProjection.parse(atLimit) }
        #expect(throws: SwiftbaseError.badRequest()) { try FieldsProjection.parse(atLimit + "title,title") }
    }

    @Test(arguments: FieldsProjectionTests.projectionCases)
    func projects(fields: String, expected: JSONValue) throws {
        let spec = try FieldsProjection.parse(fields)
        #expect(FieldsProjection.apply(spec, to: Self.record) == expected)
    }

    @Test func wildcardKeepsEverythingElseAtItsLevel() throws {
        let spec = try FieldsProjection.parse("*,expand.author.email")
        var expected = Self.record.objectValue!
        expected["expand"] = ["author": ["email": "ann@example.com"]]
        #expect(FieldsProjection.apply(spec, to: Self.record) == .object(expected))
        #expect(FieldsProjection.apply(try FieldsProjection.parse("*"), to: Self.record) == Self.record)
    }

    @Test func nestedWildcard() throws {
        let spec = try FieldsProjection.parse("id,expand.author.*,expand.comments.by.*")
        let expected: JSONValue = [
            "id": "r1",
            "expand": [
                "author": ["id": "u1", "name": "Ann", "email": "ann@example.com"],
                "comments": [["by": ["id": "u2", "name": "Bob"]], ["by": ["id": "u3", "name": "Cid"]]],
            ],
        ]
        #expect(FieldsProjection.apply(spec, to: Self.record) == expected)
    }

    // PocketBase's own picker scenarios.
    @Test func pocketBaseScenarios() throws {
        let data: JSONValue = [
            "id": "123", "title": "lorem",
            "rel": ["id": "456", "title": "rel_title", "sub": ["id": "789", "title": "sub_title"]],
        ]
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("*,rel.id"), to: data)
                == ["id": "123", "title": "lorem", "rel": ["id": "456"]])
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("id,rel.*"), to: data)
                == [
                    "id": "123",
                    "rel": ["id": "456", "title": "rel_title", "sub": ["id": "789", "title": "sub_title"]],
                ])
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("id,rel.*,rel.sub.id"), to: data)
                == ["id": "123", "rel": ["id": "456", "title": "rel_title", "sub": ["id": "789"]]])

        var withHTML = data.objectValue!
        withHTML["rel"] = ["id": "456", "title": "<p>rel_title</p>", "sub": ["id": "789", "title": "sub_title"]]
        #expect(
            FieldsProjection.apply(
                try FieldsProjection.parse("*:excerpt(2),rel.title:excerpt(3, true)"), to: .object(withHTML))
                == ["id": "12", "title": "lo", "rel": ["title": "rel..."]])
    }

    @Test func excerptModifierOnlyTouchesStrings() throws {
        let spec = try FieldsProjection.parse(
            "body:excerpt(8,true),n:excerpt(1),tags:excerpt(1),expand.author.name:excerpt(1)")
        #expect(
            FieldsProjection.apply(spec, to: Self.record)
                == ["body": "Hello wo...", "n": 5, "tags": ["a", "b"], "expand": ["author": ["name": "A"]]])
    }

    @Test func lastDuplicateWins() throws {
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("title:excerpt(2),title"), to: Self.record) == [
                "title": "lorem"
            ])
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("title,title:excerpt(2)"), to: Self.record) == [
                "title": "lo"
            ])
    }

    @Test(arguments: [",", " , ,", "\t"])
    func noEntriesKeepsEverything(fields: String) throws {
        let spec = try FieldsProjection.parse(fields)
        #expect(spec.isEmpty)
        #expect(FieldsProjection.apply(spec, to: Self.record) == Self.record)
    }

    @Test func arraysOfObjectsAtTheTop() throws {
        let list: JSONValue = [["id": "1", "x": 1], ["id": "2", "x": 2]]
        #expect(FieldsProjection.apply(try FieldsProjection.parse("id"), to: list) == [["id": "1"], ["id": "2"]])
        let mixed: JSONValue = [["id": "1", "x": 1], "scalar", ["id": "2"]]
        #expect(
            FieldsProjection.apply(try FieldsProjection.parse("id"), to: mixed) == [["id": "1"], "scalar", ["id": "2"]])
        let scalars: JSONValue = [1, ["id": "2", "x": 2]]
        #expect(FieldsProjection.apply(try FieldsProjection.parse("id"), to: scalars) == scalars)
        #expect(FieldsProjection.apply(try FieldsProjection.parse("id"), to: "text") == "text")
    }

    @Test(arguments: [
        "title:excerpt", "title:excerpt()", "title:excerpt(0)", "title:excerpt(-1)", "title:excerpt(abc)",
        "title:excerpt(1,true,x)", "title:unknown(1)", "title:", "title:excerpt(1", "title\"", "a'b", "a(b",
        "title:excerpt(08)", "title:excerpt(1.5)", "title:excerpt(10.)",
    ])
    func malformedModifiersAre400(fields: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try FieldsProjection.parse(fields) }
    }

    @Test func tokenizerKeepsCommasInsideParenthesesAndQuotes() throws {
        #expect(
            try FieldsProjection.tokenize(
                "a,b(1,2),'c,d',\"e,f\",`g,h`, i ", separators: [","], countingParentheses: true)
                == ["a", "b(1,2)", "'c,d'", "\"e,f\"", "`g,h`", "i"])
        #expect(
            try FieldsProjection.tokenize("a\\\"b,c", separators: [","], countingParentheses: true) == ["a\\\"b", "c"])
        #expect(try FieldsProjection.tokenize("a,b\0,c", separators: [","], countingParentheses: true) == ["a", "b"])
        #expect(try FieldsProjection.tokenize("a)b,c", separators: [","], countingParentheses: true) == ["a)b", "c"])
        #expect(
            try FieldsProjection.tokenize(
                "excerpt( 10 ,\ttrue )", separators: ["(", ")", ",", " "], countingParentheses: false)
                == ["excerpt", "10", "true"])
    }

    @Test(arguments: [
        ("12", 12, false), ("12.0", 12, false), ("12.00", 12, false), ("0x10", 16, false), ("010", 8, false),
        ("0b11", 3, false), ("0o17", 15, false), ("+5", 5, false), ("3,t", 3, true), ("3,1", 3, true),
        ("3,TRUE", 3, true), ("3,True", 3, true), ("3,yes", 3, false), ("3,0", 3, false), ("3,\"true\"", 3, false),
    ])
    func excerptArguments(arguments: String, max: Int, withEllipsis: Bool) throws {
        let spec = try FieldsProjection.parse("a:excerpt(\(arguments))")
        #expect(spec.paths["a"] == .excerpt(Excerpt(max: max, withEllipsis: withEllipsis)))
    }
}
