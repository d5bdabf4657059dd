import Foundation
import Testing

@testable import SwiftbaseCore

struct PercentEscapesTests {
    @Test func escapesDecodeAndPlainTextStaysAsItIs() {
        #expect("/notes/a%20b".removingPercentEscapes() == "/notes/a b")
        #expect("caf%C3%A9".removingPercentEscapes() == "café")
        #expect("%e2%82%ac".removingPercentEscapes() == "€")
        #expect("/api/fn/reader/abc".removingPercentEscapes() == "/api/fn/reader/abc")
        #expect("".removingPercentEscapes() == "")
        #expect("a+b".removingPercentEscapes() == "a+b")
        #expect("a+b%2B".removingPercentEscapes(plusAsSpace: true) == "a b+")
        #expect("nul%00byte".removingPercentEscapes() == "nul\u{0}byte")
    }

    @Test func malformedEscapesAndBytesThatAreNotUTF8AreNil() {
        #expect("%".removingPercentEscapes() == nil)
        #expect("%4".removingPercentEscapes() == nil)
        #expect("%zz".removingPercentEscapes() == nil)
        #expect("%4g".removingPercentEscapes() == nil)
        #expect("%FF".removingPercentEscapes() == nil)
        #expect("%C3".removingPercentEscapes() == nil)
        #expect("%C3%28".removingPercentEscapes() == nil)
    }

    @Test func substringsDecodeLikeStrings() {
        let query = "filter=title%3D%27a+b%27&x"
        let value = query.split(separator: "&")[0].split(separator: "=")[1]
        #expect(value.removingPercentEscapes(plusAsSpace: true) == "title='a b'")
    }

    /// The same answers as Foundation's `removingPercentEncoding` (what the routes used before) on 20,000 random
    /// texts built from escapes, half escapes, hex digits, `+`, ASCII and multi-byte characters — except where
    /// the decoded bytes are not UTF-8 and Foundation "repairs" some of them with U+FFFD (`%A9`) while it refuses
    /// others (`%80`): this decoder refuses them all.
    @Test func answersAsFoundationDoesOnRandomText() {
        let pieces = [
            "%", "%2", "%20", "%2B", "%25", "%C3", "%A9", "%c3%a9", "%E2%82%AC", "%FF", "%00", "%G1", "%zz", "0",
            "9", "a", "F", "g", "+", " ", "/", "é", "€", "😀", "%F0%9F%98%80", "%80",
        ]
        func foundation(_ text: String) -> String? {
            guard let decoded = text.removingPercentEncoding, !decoded.contains("\u{FFFD}") else { return nil }
            return decoded
        }
        var generator = SplitMix64(seed: 0x5EED)
        var decodedSome = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...8, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let decoded = text.removingPercentEscapes()
            #expect(decoded == foundation(text), "\(text)")
            #expect(
                text.removingPercentEscapes(plusAsSpace: true)
                    == foundation(text.replacingOccurrences(of: "+", with: " ")), "\(text)")
            if decoded != nil, text.contains("%") { decodedSome += 1 }
        }
        #expect(decodedSome > 1_000)
    }
}
