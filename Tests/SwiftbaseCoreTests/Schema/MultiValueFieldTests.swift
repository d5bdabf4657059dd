import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

@Suite struct SelectFieldTests {
    let single = makeField(.select(SelectFieldOptions(values: ["a", "b", "c"], maxSelect: 1)))
    let multi = makeField(.select(SelectFieldOptions(values: ["a", "b", "c"], maxSelect: 2)))

    @Test func singleTakesTheLastValue() {
        #expect(single.prepare(["a", "b"]) == "b")
        #expect(single.prepare(.null) == "")
        #expect(single.code(["a", "b"]) == nil)
    }

    @Test func multipleDeduplicatesAndWrapsSingleValues() {
        #expect(multi.prepare(["a", "b", "a", ""]) == ["a", "b"])
        #expect(multi.prepare("a") == ["a"])
        #expect(multi.prepare("[\"b\",\"c\"]") == ["b", "c"])
    }

    @Test func valuesMustBeAllowed() {
        let item = multi.validate(["a", "x"])
        #expect(item == .invalidSelectValue("x"))
        #expect(item?.message == "Invalid value x.")
        #expect(multi.validate(["a", "b", "c"]) == .tooManyValues(2))
        let required = makeField(.select(SelectFieldOptions(values: ["a"], maxSelect: 1)), required: true)
        #expect(required.code("") == "validation_required")
    }

    @Test func modifiers() {
        #expect(multi.behavior.apply(.append, operand: "c", to: ["a", "b"], for: multi) == ["a", "b", "c"])
        #expect(multi.behavior.apply(.append, operand: ["a", "c"], to: ["a"], for: multi) == ["a", "c"])
        #expect(multi.behavior.apply(.prepend, operand: "c", to: ["a"], for: multi) == ["c", "a"])
        #expect(multi.behavior.apply(.remove, operand: ["a"], to: ["a", "b"], for: multi) == ["b"])
        #expect(single.behavior.apply(.append, operand: "c", to: "a", for: single) == "c")
    }

    @Test func storage() {
        #expect(multi.behavior.sqlValue(["a", "b"], for: multi) == .text("[\"a\",\"b\"]"))
        #expect(multi.behavior.jsonValue(.text("[]"), for: multi) == [])
        #expect(multi.roundTrip(["b", "a"]) == ["b", "a"])
        #expect(single.roundTrip("a") == "a")
        #expect(multi.behavior.columnDefinition(for: multi, in: SQLiteDialect()) == "JSON DEFAULT '[]' NOT NULL")
        #expect(single.behavior.columnDefinition(for: single, in: SQLiteDialect()) == "TEXT DEFAULT '' NOT NULL")
        #expect(multi.behavior.zeroValue(for: multi) == [])
    }
}

@Suite struct RelationAndFileFieldTests {
    @Test func relationCounts() {
        let field = makeField(.relation(RelationFieldOptions(collectionId: "x", minSelect: 2, maxSelect: 3)))
        #expect(field.code("a") == "validation_not_enough_values")
        #expect(field.code(["a", "b", "c", "d"]) == "validation_too_many_values")
        #expect(field.code(["a", "b"]) == nil)
        #expect(field.prepare("a") == ["a"])
        let single = makeField(.relation(RelationFieldOptions(collectionId: "x")), required: true)
        #expect(single.prepare(["a", "b"]) == "b")
        #expect(single.code([]) == "validation_required")
    }

    @Test func fileNamesAndCount() {
        let field = makeField(.file(FileFieldOptions(maxSelect: 2)))
        #expect(field.prepare("a.txt") == ["a.txt"])
        #expect(field.prepare(["a.txt", "a.txt", "b.txt", ["c.txt"], ["d", "e"]]) == ["a.txt", "b.txt", "c.txt"])
        #expect(field.validate(["a", "b", "c"]) == .tooManyFiles(2))
        #expect(field.behavior.apply(.remove, operand: "a.txt", to: ["a.txt", "b.txt"], for: field) == ["b.txt"])
        #expect(field.behavior.apply(.prepend, operand: "z", to: ["a"], for: field) == ["z", "a"])
    }

    @Test func newFileNamesMustHaveBeenUploaded() throws {
        let options = FileFieldOptions(maxSelect: 3)
        #expect(options.invalidNewFiles(in: ["a", "b"], previous: ["a"], uploaded: ["b"]) == nil)
        let item = try #require(options.invalidNewFiles(in: ["a", "x", "y"], previous: ["a"]))
        #expect(item.message == "Invalid new files: [x y].")
        #expect(item.params["invalidFiles"] == ["x", "y"])
    }
}

@Suite struct JSONFieldTests {
    let field = makeField(.json(JSONFieldOptions()))

    @Test(arguments: [
        ("null", JSONValue.null), ("", .string("")), ("true", .bool(true)), ("test", .string("test")), ("123", .number(123)),
        ("-456", .number(-456)), ("[1,2,3]", JSONValue.array([1, 2, 3])), ("[1,2,3", .string("[1,2,3")), ("{\"a\":1}", JSONValue.object(["a": 1])),
        ("{\"a\":1", .string("{\"a\":1")), ("\"quoted\"", .string("quoted")), (" [1]", .string(" [1]")),
    ])
    func textIsReadAsPocketBaseReadsIt(text: String, expected: JSONValue) {
        #expect(JSONFieldOptions.fromFormText(text) == expected)
        #expect(field.prepare(.string(text)) == expected)
    }

    @Test func nonTextIsKept() {
        #expect(field.prepare(["a": [1, 2]]) == ["a": [1, 2]])
        #expect(field.prepare(5) == 5)
    }

    @Test(arguments: [JSONValue.null, "", [], [:]])
    func blankValuesFailRequired(value: JSONValue) {
        #expect(makeField(.json(JSONFieldOptions()), required: true).validate(value) == .required)
    }

    @Test func sizeLimit() {
        let small = makeField(.json(JSONFieldOptions(maxSize: 5)))
        #expect(small.validate([1, 2]) == nil)
        #expect(small.validate([1, 2, 3]) == .jsonSizeLimit(5))
        #expect(small.validate("abcd") == .jsonSizeLimit(5))
    }

    @Test func storage() {
        #expect(field.behavior.sqlValue(.null, for: field) == .null)
        #expect(field.behavior.sqlValue(["b": 1, "a": [true]], for: field) == .text("{\"a\":[true],\"b\":1}"))
        #expect(field.roundTrip(["k": [1, 2]]) == ["k": [1, 2]])
        #expect(field.behavior.jsonValue(.text("null"), for: field) == .null)
        #expect(field.behavior.columnDefinition(for: field, in: SQLiteDialect()) == "JSON DEFAULT NULL")
    }
}

@Suite struct PasswordFieldTests {
    let field = makeField(.password(PasswordFieldOptions(min: 8, pattern: "[0-9]")), required: true)

    @Test func validatesThePlaintext() {
        #expect(field.code("") == "validation_required")
        #expect(field.validate("abc1") == .passwordTooShort(8))
        #expect(field.code("abcdefgh") == "validation_invalid_format")
        #expect(field.code("abcdefg1") == nil)
        #expect(field.validate(.string(String(repeating: "a", count: 72)))?.message == "Must be less than 71 character(s).")
    }

    @Test func storedHashesAndUnchangedValuesPass() {
        let hash = "$2a$10$" + String(repeating: "x", count: 53)
        #expect(field.validate(.string(hash)) == nil)
        #expect(field.validate(.null) == nil)
    }

    @Test func neverReadable() {
        #expect(field.behavior.sqlValue("$2a$hash", for: field) == .text("$2a$hash"))
        #expect(field.behavior.jsonValue(.text("$2a$hash"), for: field) == .null)
    }
}
