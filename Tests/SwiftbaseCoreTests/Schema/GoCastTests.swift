import Testing

@testable import SwiftbaseCore

@Suite struct GoCastTests {
    @Test(arguments: [
        (JSONValue.number(5), "5"), (.number(-0.5), "-0.5"), (.number(1e21), "1000000000000000000000"),
        (.number(1e-7), "0.0000001"), (.number(123.456), "123.456"), (.bool(true), "true"), (.null, ""),
        (.array(["a"]), ""), (.object([:]), ""), (.string("x"), "x"),
    ])
    func stringCastsLikeGo(value: JSONValue, expected: String) {
        #expect(GoCast.string(value) == expected)
    }

    @Test(arguments: [
        ("12", 12.0), ("-1.5", -1.5), (".5", 0.5), ("1e3", 1000), ("+2", 2), ("0x1p-2", 0.25), ("abc", 0),
        (" 1", 0), ("1_000", 0), ("1e400", 0), ("", 0), ("0x10", 0),
    ])
    func doubleCastsLikeGo(text: String, expected: Double) {
        #expect(GoCast.double(.string(text)) == expected)
    }

    @Test func nanAndInfinityTextParse() {
        #expect(GoCast.double(.string("NaN")).isNaN)
        #expect(GoCast.double(.string("-Inf")) == -.infinity)
    }

    @Test(arguments: [
        (JSONValue.string("t"), true), (.string("TRUE"), true), (.string("1"), true), (.string("yes"), false),
        (.number(2), true), (.number(0), false), (.null, false), (.array([]), false),
    ])
    func boolCastsLikeGo(value: JSONValue, expected: Bool) {
        #expect(GoCast.bool(value) == expected)
    }

    @Test(arguments: [
        (JSONValue.string("a"), ["a"]), (.string(""), []), (.string("[\"a\",\"b\",\"a\"]"), ["a", "b"]),
        (.string("[not json"), ["[not json"]), (.string("[1,2]"), ["[1,2]"]), (.array(["a", "", "b", "a"]), ["a", "b"]),
        (.array(["a", 1, true]), ["a", "1", "true"]), (.array(["a", ["b"]]), []), (.number(5), ["5"]),
        (.null, []), (.object(["a": 1]), []),
    ])
    func uniqueStringsCastLikePocketBase(value: JSONValue, expected: [String]) {
        #expect(GoCast.uniqueStrings(value) == expected)
    }

    @Test(arguments: [(5.0, "5"), (0.5, "0.5"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1e-5, "1e-05"), (0.0001, "0.0001")])
    func verbFormatsLikeGoV(value: Double, expected: String) {
        #expect(GoNumberFormat.verb(value) == expected)
    }
}
