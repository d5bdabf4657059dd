import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

@Suite struct FormValueInferenceTests {
    @Test(arguments: [
        ("", JSONValue.string("")),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("True", .string("True")),
        ("TRUE", .string("TRUE")),
        ("1", .number(1)),
        ("7", .number(7)),
        ("0", .number(0)),
        ("-0", .number(-0.0)),
        ("-1.5", .number(-1.5)),
        ("0.25", .number(0.25)),
        ("123456789", .number(123_456_789)),
        ("0.000001", .number(0.000001)),
        ("9007199254740992", .number(9_007_199_254_740_992)),
        ("100000000000000000000", .number(1e20)),
        ("007", .string("007")),
        ("1.0", .string("1.0")),
        ("1.50", .string("1.50")),
        ("1e3", .string("1e3")),
        ("1E3", .string("1E3")),
        (".5", .string(".5")),
        ("-.5", .string("-.5")),
        ("5.", .string("5.")),
        ("+5", .string("+5")),
        ("-", .string("-")),
        ("--1", .string("--1")),
        ("1-2", .string("1-2")),
        ("1.2.3", .string("1.2.3")),
        (" 1", .string(" 1")),
        ("1 ", .string("1 ")),
        ("0x10", .string("0x10")),
        ("Infinity", .string("Infinity")),
        ("NaN", .string("NaN")),
        ("9007199254740993", .string("9007199254740993")),
        ("12345678901234567890", .string("12345678901234567890")),
        ("0.1000000000000000055511151231257827", .string("0.1000000000000000055511151231257827")),
        ("1" + String(repeating: "0", count: 400), .string("1" + String(repeating: "0", count: 400))),
        ("null", .string("null")),
        ("[1,2]", .string("[1,2]")),
        ("{\"a\":1}", .string("{\"a\":1}")),
        ("héllo", .string("héllo")),
    ])
    func infers(raw: String, expected: JSONValue) {
        #expect(FormValueInference.infer(raw) == expected)
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (100, "100"), (1e21, "1000000000000000000000"),
        (1.5e20, "150000000000000000000"), (0.00001, "0.00001"), (1e-7, "0.0000001"), (-2.5, "-2.5"),
        (Double.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5"), (0.1, "0.1"),
        (123.456, "123.456"),
        (1.7976931348623157e308, "17976931348623157" + String(repeating: "0", count: 292)),
    ])
    func formatsShortestFixedNotation(value: Double, expected: String) {
        #expect(FormValueInference.shortestFixedNotation(value) == expected)
    }
}
