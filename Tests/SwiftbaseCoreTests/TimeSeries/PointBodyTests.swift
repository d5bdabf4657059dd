import Foundation
import Testing

@testable import SwiftbaseCore

/// The bulk body reader: what it accepts, the values it reads and every error must be exactly what reading
/// each object with `StrictJSONParser` gives — the fast path only skips work, never changes an answer.
@Suite struct PointBodyTests {
    private let fields = ["id", "time", "device", "temp", "hum"]

    private func parse(_ text: String, _ format: PointBody.Format = .lines) throws(SwiftbaseError) -> ParsedPoints {
        try PointBody.parse(Array(text.utf8), format: format, fieldNames: fields)
    }

    /// The bodies as the strict reader reads them: one object per non-blank line, or the array's items.
    private func strict(_ text: String, _ format: PointBody.Format) -> [[String: JSONValue]]? {
        switch format {
        case .array:
            guard case .array(let items)? = try? StrictJSONParser.parseDocument(Array(text.utf8)) else { return nil }
            return items.map { if case .object(let o) = $0 { o } else { [:] } }
        case .lines:
            var out: [[String: JSONValue]] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                guard case .object(let o)? = try? StrictJSONParser.parseDocument(Array(line.utf8)) else { return nil }
                out.append(o)
            }
            return out
        }
    }

    private func bodies(_ points: ParsedPoints) -> [[String: JSONValue]] {
        (0..<points.count).map(points.body)
    }

    private func bodyError(_ text: String, _ format: PointBody.Format = .lines) -> String? {
        do {
            _ = try parse(text, format)
            return nil
        } catch {
            #expect(error.code == .badRequest)
            guard case .fields(let fields) = error.data, case .item(let item)? = fields["body"] else { return "no body item" }
            return item.message
        }
    }

    @Test func plainLinesAreReadIntoFieldSlots() throws {
        let text = #"{"time":"2025-12-06 00:00:00.000Z","device":"d1","temp":21.5,"hum":40}"# + "\n"
            + #"  {"device":"d2","temp":-0.25,"hum":1e2}"# + "\r\n\n   \t\r\n"
            + #"{ "temp" : 12345678901234567 , "device" : "dé" }"#
        let points = try parse(text)
        #expect(points.count == 3)
        #expect(points.raw(0, 1) == .string("2025-12-06 00:00:00.000Z"))
        #expect(points.raw(0, 3) == .number(21.5))
        #expect(points.raw(0, 0) == nil)
        #expect(points.raw(1, 3) == .number(-0.25))
        #expect(points.raw(1, 4) == .number(100))
        #expect(points.raw(2, 3) == .number(Double("12345678901234567")!))
        #expect(points.raw(2, 2) == .string("dé"))
        #expect(bodies(points) == strict(text, .lines))
    }

    @Test func numbersReadExactlyAsTheStandardLibraryDoes() throws {
        let numbers = [
            "0", "-0", "1", "0.1", "0.3", "123456.789012345", "999999999999999", "0.000000000000001",
            "-98765.4321", "3.141592653589793", "1.7976931348623157e308", "5e-324", "0.1e1", "1E+2", "12.50",
            "9007199254740993", "18446744073709551616", "1234567890123456789012345",
        ]
        let text = numbers.map { #"{"temp":\#($0)}"# }.joined(separator: "\n")
        let points = try parse(text)
        for (i, number) in numbers.enumerated() {
            #expect(points.raw(i, 3) == .number(Double(number)!), "\(number)")
        }
        let negativeZero: FloatingPointSign? = points.raw(1, 3).flatMap { if case .number(let d) = $0 { d.sign } else { nil } }
        #expect(negativeZero == .minus)
    }

    @Test func objectsTheFastPathDoesNotTakeMatchTheStrictReader() throws {
        let text = [
            #"{"device":"a\"b\u00e9\n","temp":1}"#,  // escapes
            #"{"temp+":2,"time":"2025-12-06 00:00:00.000Z"}"#,  // a modifier key: kept whole
            #"{"unknown":true,"device":"x"}"#,  // a key naming no field: kept whole
            #"{"hum":[1,2],"device":{"a":null}}"#,  // nested values
            #"{"d\u0065vice":"escaped key"}"#,
            #"{}"#,
            #"{"temp":true,"hum":null,"device":false}"#,
        ].joined(separator: "\n")
        let points = try parse(text)
        #expect(bodies(points) == strict(text, .lines))
        #expect(points.wholeBody(1) != nil && points.wholeBody(2) != nil)
        #expect(points.wholeBody(0) == nil && points.wholeBody(4) == nil)
        #expect(points.raw(4, 2) == .string("escaped key"))
    }

    @Test func arraysMatchTheStrictReader() throws {
        let text = #" [ {"time":"2025-12-06 00:00:00.000Z","temp":1} ,{"temp+":1},{"device":"x\ty"}, {} ] "#
        #expect(bodies(try parse(text, .array)) == strict(text, .array))
        #expect(try parse("[]", .array).count == 0)
        #expect(try parse(" [\n] \n", .array).count == 0)
    }

    @Test func badLinesAreNamedByTheirNumber() {
        #expect(bodyError("{\"temp\":1}\n\n{\"temp\":NaN}") == "Line 3 is not a JSON object.")
        #expect(bodyError("{\"temp\":Infinity}") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":1e400}") == "Line 1 is not a JSON object.")  // out of range
        #expect(bodyError("{\"temp\":-}") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":01}") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":1.}") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":1,\"temp\":2}") == "Line 1 is not a JSON object.")  // duplicate key
        #expect(bodyError("{\"device\":\"a\u{01}\"}") == "Line 1 is not a JSON object.")  // control character
        #expect(bodyError("{\"temp\":1} x") == "Line 1 is not a JSON object.")
        #expect(bodyError("[{\"temp\":1}]") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":1") == "Line 1 is not a JSON object.")
        #expect(bodyError("{\"temp\":\n1}") == "Line 1 is not a JSON object.")  // an object spans one line
        #expect(bodyError("{\"temp\":tru}") == "Line 1 is not a JSON object.")
        #expect(bodyError("\n  \r\n{\"temp\":1}\n\"text\"") == "Line 4 is not a JSON object.")
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Array(#"{"device":"ab"}"#.utf8)
        bytes[12] = 0xFF
        #expect(throws: SwiftbaseError.self) { try PointBody.parse(bytes, format: .lines, fieldNames: fields) }
        #expect(throws: SwiftbaseError.self) { try PointBody.parse(bytes, format: .array, fieldNames: fields) }
    }

    @Test func badArraysAreWordedAsBefore() {
        let notArray = "Send a JSON array of points, or newline-delimited JSON with Content-Type application/x-ndjson."
        #expect(bodyError("{\"temp\":1}", .array) == notArray)
        #expect(bodyError("[{\"temp\":1},]", .array) == notArray)
        #expect(bodyError("[{\"temp\":1}] [", .array) == notArray)
        #expect(bodyError("[{\"temp\":NaN}]", .array) == notArray)
        #expect(bodyError("", .array) == notArray)
        #expect(bodyError("[{\"temp\":1}, 2, {}]", .array) == "Point 1 is not a JSON object.")
        // A later syntax error outweighs an earlier non-object, as reading the whole document first does.
        #expect(bodyError("[{\"temp\":1}, 2, {]", .array) == notArray)
    }

    @Test func emptyBodiesHoldNoPoints() throws {
        #expect(try parse("").count == 0)
        #expect(try parse("\n\n \r\n\t").count == 0)
    }

    @Test func hugeBatchesKeepEveryPointInOrder() throws {
        let count = 50_000
        let text = (0..<count).map { #"{"device":"d\#($0 % 7)","temp":\#($0).5,"hum":\#($0)}"# }.joined(separator: "\n")
        let points = try parse(text)
        #expect(points.count == count)
        for i in stride(from: 0, to: count, by: 997) {
            #expect(points.raw(i, 3) == .number(Double(i) + 0.5))
            #expect(points.raw(i, 2) == .string("d\(i % 7)"))
        }
        let array = try parse("[" + text.replacingOccurrences(of: "\n", with: ",") + "]", .array)
        #expect(array.count == count)
        #expect(bodies(array) == bodies(points))
    }

    @Test func objectsLaidOutFromDictionariesMatchParsedOnes() throws {
        let bodies: [[String: JSONValue]] = [["temp": .number(1), "device": .string("x")], ["temp-": .number(1)], [:]]
        let points = ParsedPoints(fieldNames: fields, bodies: bodies)
        #expect(points.count == 3)
        #expect(points.raw(0, 3) == .number(1))
        #expect(points.wholeBody(1) == ["temp-": .number(1)])
        #expect((0..<3).map(points.body) == bodies)
    }
}
