import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

@Suite struct TextFieldTests {
    @Test(arguments: [(JSONValue.string("a"), "a"), (.number(5), "5"), (.number(5.5), "5.5"), (.bool(false), "false"), (.null, "")])
    func castsToString(raw: JSONValue, expected: String) {
        #expect(makeField(.text(TextFieldOptions())).prepare(raw) == .string(expected))
    }

    @Test func lengthAndPattern() {
        let field = makeField(.text(TextFieldOptions(min: 2, max: 3, pattern: "^[a-z]+$")), required: true)
        #expect(field.code("") == "validation_required")
        #expect(field.validate("a") == .textTooShort(2))
        #expect(field.validate("abcd")?.message == "Must be no more than 3 character(s).")
        #expect(field.code("AB") == "validation_invalid_format")
        #expect(field.code("ab") == nil)
        #expect(field.code("ñé") == "validation_invalid_format")
    }

    @Test func maxZeroMeansFiveThousandCharacters() {
        let field = makeField(.text(TextFieldOptions()))
        #expect(field.code(.string(String(repeating: "é", count: 5000))) == nil)
        #expect(field.validate(.string(String(repeating: "a", count: 5001)))?.params["max"] == 5000)
    }

    @Test func primaryKeyChecks() {
        let id = SystemCollections.idField()
        #expect(id.code("") == "validation_required")
        #expect(id.code("ABCDEFGHIJKLMNO") == "validation_invalid_format")
        #expect(id.code("abcdefghijklmno") == nil)
        let custom = makeField(.text(TextFieldOptions(pattern: "^.+$", primaryKey: true)), name: "id")
        #expect(custom.code("a/b") == "validation_forbidden_pk_character")
        #expect(custom.code("con") == "validation_reserved_pk")
        #expect(custom.behavior.columnDefinition(for: custom, in: SQLiteDialect()).hasPrefix("TEXT PRIMARY KEY"))
    }

    @Test func storesText() {
        let field = makeField(.text(TextFieldOptions()))
        #expect(field.behavior.sqlValue("x", for: field) == .text("x"))
        #expect(field.behavior.jsonValue(.null, for: field) == "")
        #expect(field.behavior.columnDefinition(for: field, in: SQLiteDialect()) == "TEXT DEFAULT '' NOT NULL")
    }
}

@Suite struct NumberFieldTests {
    let field = makeField(.number(NumberFieldOptions()))

    @Test(arguments: [(JSONValue.string("12.5"), 12.5), (.string("abc"), 0), (.bool(true), 1), (.null, 0), (.array([]), 0), (.number(-3), -3)])
    func castsToNumber(raw: JSONValue, expected: Double) {
        #expect(field.prepare(raw) == .number(expected))
    }

    @Test func zeroFailsRequired() {
        let required = makeField(.number(NumberFieldOptions(min: 5)), required: true)
        #expect(required.code(0) == "validation_required")
        #expect(makeField(.number(NumberFieldOptions(min: 5))).code(0) == nil)
    }

    @Test func rangeAndIntegers() {
        let field = makeField(.number(NumberFieldOptions(min: 1, max: 10, onlyInt: true)))
        #expect(field.validate(0.5) == .decimalNotAllowed)
        #expect(field.validate(-1) == .numberTooSmall(1))
        #expect(field.validate(11)?.message == "Must be less or equal than 10.")
        #expect(field.validate(10) == nil)
        #expect(field.code("NaN") == "validation_not_a_number")
    }

    @Test func modifiersAddAndSubtract() {
        #expect(field.behavior.apply(.append, operand: 10, to: 5, for: field) == 15)
        #expect(field.behavior.apply(.remove, operand: "2", to: 5, for: field) == 3)
        #expect(field.behavior.apply(.prepend, operand: 1, to: 5, for: field) == nil)
    }

    @Test func storage() {
        #expect(field.behavior.sqlValue(5, for: field) == .integer(5))
        #expect(field.behavior.sqlValue(5.5, for: field) == .real(5.5))
        #expect(field.roundTrip(2.25) == 2.25)
        #expect(field.behavior.columnDefinition(for: field, in: SQLiteDialect()) == "NUMERIC DEFAULT 0 NOT NULL")
    }
}

@Suite struct BoolFieldTests {
    @Test func requiredMeansTrue() {
        let field = makeField(.bool(BoolFieldOptions()), required: true)
        #expect(field.code(false) == "validation_required")
        #expect(field.code("true") == nil)
        #expect(field.code("yes") == "validation_required")
        #expect(field.roundTrip(true) == true)
        #expect(field.behavior.columnDefinition(for: field, in: SQLiteDialect()) == "BOOLEAN DEFAULT FALSE NOT NULL")
    }
}

@Suite struct EmailAndURLFieldTests {
    @Test(arguments: [
        ("john@example.com", true), ("john.doe+x@sub.example.co", true), ("a@b", false), ("no-at.example.com", false),
        (".john@example.com", false), ("john@example.com.", true), ("jo hn@example.com", false),
        ("\"john doe\"@example.com", true), ("=?utf-8?q?x?=@example.com", false), ("ü@exämple.com", true),
    ])
    func emailFormat(address: String, valid: Bool) {
        #expect(AddressFormat.isEmail(address) == valid)
    }

    @Test func emailDomains() {
        let only = makeField(.email(EmailFieldOptions(onlyDomains: ["example.com"])))
        #expect(only.code("a@example.com") == nil)
        #expect(only.code("a@other.com") == "validation_email_domain_not_allowed")
        let except = makeField(.email(EmailFieldOptions(exceptDomains: ["example.com"])))
        #expect(except.code("a@example.com") == "validation_email_domain_not_allowed")
        #expect(except.code("nope") == "validation_is_email")
    }

    // `mailto:a@b.com` passes as govalidator reads it: `mailto:a` is user info before the host `b.com`.
    @Test(arguments: [
        ("https://example.com", true), ("http://localhost:8090/_/#/x?y=1", true), ("example.com/path", true),
        ("ftp://user:pw@files.example.com", true), ("http://[::1]:80/", true), ("mailto:a@b.com", true),
        ("http//example.com", false), ("http://exa mple.com", false), ("javascript:alert(1)", false), ("abc", false),
        ("https://", false), ("http://.example.com", false),
    ])
    func urlFormat(url: String, valid: Bool) {
        #expect(AddressFormat.isURL(url) == valid)
    }

    @Test func urlDomainsMatchTheHost() {
        let field = makeField(.url(URLFieldOptions(onlyDomains: ["example.com"])))
        #expect(field.code("https://example.com/a") == nil)
        #expect(field.code("https://example.com:8080/a") == "validation_url_domain_not_allowed")
        #expect(field.code("example.com") == "validation_url_domain_not_allowed")
        #expect(field.code("not a url") == "validation_invalid_url")
    }

    @Test(arguments: [
        ("example.com", true), ("a.b-c.io", true), ("localhost", false), ("-a.com", false), ("ex_ample.com", false),
        ("example.c0m", false), ("EXAMPLE.com", false), ("exampleA.com", false),
    ])
    func domainFormat(domain: String, valid: Bool) {
        #expect(AddressFormat.isDomain(domain) == valid)
    }
}

@Suite struct EditorAndDateFieldTests {
    @Test func editorSize() {
        let field = makeField(.editor(EditorFieldOptions(maxSize: 4)), required: true)
        #expect(field.code("") == "validation_required")
        #expect(field.validate("ééé") == .contentSizeLimit(4))
        #expect(field.code("abcd") == nil)
        #expect(makeField(.editor(EditorFieldOptions())).code(.string(String(repeating: "a", count: 5 << 20))) == nil)
    }

    @Test(arguments: [
        (JSONValue.string("2024-01-02 03:04:05.123Z"), "2024-01-02 03:04:05.123Z"),
        (.string("2024-01-02T03:04:05Z"), "2024-01-02 03:04:05.000Z"), (.string("2024-01-02"), "2024-01-02 00:00:00.000Z"),
        (.string("2024-01-02T03:04:05+02:00"), "2024-01-02 01:04:05.000Z"), (.string("nope"), ""),
        (.string("1700000000"), ""), (.number(1_700_000_000), ""), (.null, ""),
    ])
    func dateParsing(raw: JSONValue, expected: String) {
        #expect(makeField(.date(DateFieldOptions())).prepare(raw) == .string(expected))
    }

    @Test func dateRange() {
        let field = makeField(
            .date(DateFieldOptions(min: "2024-01-01 00:00:00.000Z", max: "2024-12-31 00:00:00.000Z")), required: true)
        #expect(field.code("garbage") == "validation_required")
        #expect(field.code("2024-06-01") == nil)
        let early = field.validate(field.prepare("2023-06-01"))
        #expect(early?.code == "validation_min_greater_equal_than_required")
        #expect(early?.message == "Must be no less than 2024-01-01 00:00:00 +0000 UTC.")
        #expect(early?.params["threshold"] == "2024-01-01T00:00:00Z")
        #expect(field.code("2025-01-01") == "validation_max_less_equal_than_required")
    }

    @Test func autodateKeepsValuesAndNeverFails() {
        let field = makeField(.autodate(AutodateFieldOptions()), required: true)
        #expect(field.prepare("whatever") == "whatever")
        #expect(field.validate("") == nil)
        #expect(field.roundTrip("2024-01-02 03:04:05.000Z") == "2024-01-02 03:04:05.000Z")
    }
}
