import Testing

@testable import SwiftbaseCore

struct DatabaseJSONTextTests {
    let marker = Array(#"\u0001"#.utf8)

    func finished(_ text: String) -> String? {
        DatabaseJSONText.finished(text, marker: marker).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func escapesWhatGoEscapesAndKeepsTheRest() {
        #expect(finished(#"{"a":"<b>&c"}"#) == #"{"a":"\u003cb\u003e\u0026c"}"#)
        #expect(finished("[\"x\u{2028}y\u{2029}z\"]") == #"["x\u2028y\u2029z"]"#)
        #expect(finished(#"{"q":"say \"hi\" \\ <"}"#) == #"{"q":"say \"hi\" \\ \u003c"}"#)
        // Other characters starting with 0xE2 stay as they are (€ is E2 82 AC).
        #expect(finished(#"["€ ‖"]"#) == #"["€ ‖"]"#)
        #expect(finished("") == "")
        #expect(finished(#"[1,true,null]"#) == #"[1,true,null]"#)
    }

    @Test func theMarkerAnywhereMeansNil() {
        #expect(finished(#"{"a":"\u0001"}"#) == nil)
        #expect(finished(#"[{"a":1},{"b":"x\u0001y"}]"#) == nil)
        // A backslash escaping a backslash followed by text that reads like the marker is no marker.
        #expect(finished(#"["\\u0001"]"#) == #"["\\u0001"]"#)
        #expect(finished(#"["\u00012"]"#) == nil)
        #expect(finished(#"["\u0002"]"#) == #"["\u0002"]"#)
    }

    @Test func matchesTheTwoPassReferenceOnRandomText() {
        var generator = SplitMix64(seed: 42)
        let alphabet: [String] = ["a", "<", ">", "&", "\\\\", "\\\"", "\\u0001", "\u{2028}", "\u{2029}", "€", " ", "\\n"]
        for _ in 0..<500 {
            let length = Int(generator.next() % 20)
            let text = "[\"" + (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined() + "\"]"
            #expect(finished(text) == reference(text), "\(text)")
        }
    }

    /// The plain definition: nil when the marker escape occurs as an escape, else Go's extra escapes applied.
    private func reference(_ text: String) -> String? {
        var out = ""
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "\\" {
                let next = scalars.popFirst()!
                if next == "u", String(String.UnicodeScalarView(scalars.prefix(4))) == "0001" { return nil }
                out.unicodeScalars.append(scalar)
                out.unicodeScalars.append(next)
                continue
            }
            switch scalar {
            case "<": out += #"\u003c"#
            case ">": out += #"\u003e"#
            case "&": out += #"\u0026"#
            case "\u{2028}": out += #"\u2028"#
            case "\u{2029}": out += #"\u2029"#
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
