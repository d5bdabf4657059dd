import Foundation
import Testing

@testable import SwiftbaseCore

/// The byte writer must print what Go's `encoding/json` prints for PocketBase, and stay valid JSON that
/// round-trips through Foundation's parser for any string.
@Suite("JSON writer")
struct JSONWriterTests {
    @Test func escapesAsGoDoes() {
        let text = JSONValue.string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}<>&\u{2028}\u{2029}é😀").jsonString
        #expect(text == #""a\"b\\c\n\r\t\b\f\u0001\u001f\u003c\u003e\u0026\u2028\u2029é😀""#)
    }

    @Test func sortsKeysByTheirBytesAndPrintsWholeNumbersWithoutFraction() {
        let value: JSONValue = ["b": 1, "a": 2.5, "B": true, "é": .null, "e": [1, "x"]]
        #expect(value.jsonString == #"{"B":true,"a":2.5,"b":1,"e":[1,"x"],"é":null}"#)
        #expect(JSONValue.number(Double("9007199254740993")!).jsonString == "9007199254740992")
        #expect(JSONValue.number(0x1p60).jsonString == "1152921504606847000")
        #expect(JSONValue.number(-1.5e-7).jsonString == "-1.5e-7")
        #expect(JSONValue.number(1e21).jsonString == "1e+21")
        #expect(JSONValue.number(1e-6).jsonString == "0.000001")
        #expect(JSONValue.number(0.1).jsonString == "0.1")
        #expect(JSONValue.number(.infinity).jsonString == "null")
    }

    @Test func anyStringRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let scalars = (0..<Int.random(in: 0...40, using: &generator)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x2FFF, using: &generator))
            }
            let original = String(String.UnicodeScalarView(scalars))
            var bytes: [UInt8] = []
            JSONWriter.writeString(original, into: &bytes)
            let parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
            #expect(parsed == original)
        }
    }
}
