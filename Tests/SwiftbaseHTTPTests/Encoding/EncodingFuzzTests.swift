import SwiftbaseTesting
import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

@Suite struct EncodingFuzzTests {
    static let contentTypes: [String?] = [
        nil, "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=B0und",
        "multipart/form-data", "multipart/form-data; boundary=\"\"", "text/plain",
    ]

    /// Decoding either succeeds or throws a 400; it never traps, whatever the bytes.
    private func expectDecodes(_ contentType: String?, _ body: [UInt8]) {
        do {
            _ = try RequestBodyDecoder.decode(contentType: contentType, body: body)
        } catch {
            #expect(error.code == .badRequest)
        }
    }

    @Test func randomBytes() {
        var rng = SeededRandom(seed: 0x5EED_0001)
        let alphabet = Array("--B0und\r\n:;=\"{}[],%+&@jsonPayload name filename".utf8)
        for _ in 0..<3000 {
            let length = rng.int(0..<200)
            let body: [UInt8] = (0..<length).map { _ in
                rng.chance(70) ? rng.pick(alphabet) : UInt8.random(in: 0...255, using: &rng)
            }
            expectDecodes(rng.pick(Self.contentTypes), body)
        }
    }

    @Test func mutatedMultipart() {
        var rng = SeededRandom(seed: 0x5EED_0002)
        for _ in 0..<3000 {
            var fixture = MultipartFixture(boundary: "B0und", items: [])
            for _ in 0..<rng.int(0..<5) {
                switch rng.int(0..<3) {
                case 0: fixture.items.append(.field(randomName(&rng), randomValue(&rng)))
                case 1:
                    fixture.items.append(
                        .file(
                            randomName(&rng), filename: "f\(rng.int(0..<9)).txt", contentType: "text/plain",
                            data: (0..<rng.int(0..<40)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
                default: fixture.items.append(.field("@jsonPayload", randomJSONText(&rng)))
                }
            }
            var bytes = fixture.bytes
            mutate(&bytes, using: &rng, fragments: [Array("\r\n--B0und".utf8), Array("--".utf8), Array("\r\n".utf8)])
            expectDecodes(fixture.contentType, bytes)
        }
    }

    @Test func mutatedJSONAndURLEncoded() {
        var rng = SeededRandom(seed: 0x5EED_0003)
        for _ in 0..<3000 {
            var json = Array(randomJSONText(&rng).utf8)
            mutate(&json, using: &rng, fragments: [Array("\\u".utf8), Array("\"".utf8), Array("{".utf8), [0xC3]])
            expectDecodes("application/json", json)

            var form = Array("a=1&b=%41&c=x+y&@jsonPayload=%7B%22k%22%3A1%7D&d".utf8)
            mutate(&form, using: &rng, fragments: [Array("%".utf8), Array("&".utf8), Array("=".utf8), [0xFF]])
            expectDecodes("application/x-www-form-urlencoded", form)
        }
    }

    /// Random forms survive a multipart / urlencoded round trip with exactly the inferred values.
    @Test func formRoundTrips() throws {
        var rng = SeededRandom(seed: 0x5EED_0004)
        for _ in 0..<1000 {
            var pairs: [(String, String)] = []
            for _ in 0..<rng.int(1..<6) { pairs.append((randomName(&rng), randomValue(&rng))) }
            var expected: [String: [String]] = [:]
            for (name, value) in pairs { expected[name, default: []].append(value) }
            let expectedValues = expected.mapValues { raw -> JSONValue in
                raw.count == 1 ? FormValueInference.infer(raw[0]) : .array(raw.map(FormValueInference.infer))
            }

            let fixture = MultipartFixture(
                boundary: "xX\(rng.int(0..<1000))Xx", items: pairs.map { .field($0.0, $0.1) })
            let multipart = try RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes)
            #expect(multipart.values == expectedValues)

            let urlEncoded = pairs.map {
                "\($0.0.addingPercentEncodingForTest())=\($0.1.addingPercentEncodingForTest())"
            }
            .joined(separator: "&")
            let form = try RequestBodyDecoder.decode(
                contentType: "application/x-www-form-urlencoded", body: Array(urlEncoded.utf8))
            #expect(form.values == expectedValues)
        }
    }

    /// Random JSON objects written by `JSONWriter` read back identically.
    @Test func jsonRoundTrips() throws {
        var rng = SeededRandom(seed: 0x5EED_0005)
        for _ in 0..<1000 {
            guard case .object(let members) = randomJSON(&rng, depth: 0, forceObject: true) else { continue }
            let text = JSONValue.object(members).jsonString
            let body = try RequestBodyDecoder.decode(contentType: "application/json", body: Array(text.utf8))
            #expect(body.values == members)
        }
    }

    @Test func fieldsAndExcerptNeverTrap() {
        var rng = SeededRandom(seed: 0x5EED_0006)
        let pieces = [
            "id", "expand", "author", "*", ".", ",", ":", "excerpt", "(", ")", "1", "true", " ", "'", "\"", "\\",
            "title",
        ]
        let htmlPieces = [
            "<", ">", "</", "p", "b", "script", "style", "title", "!--", "-->", "&", "amp;", "#x41;", "#", "\"", "'",
            "=", " ", "text", "é", "\n", "/",
        ]
        let record: JSONValue = [
            "id": "1", "title": "<p>Hello <b>there</b></p>",
            "expand": ["author": ["id": "2", "title": "x"], "list": [["id": "3"], "x"]],
        ]
        for _ in 0..<3000 {
            let fields = (0..<rng.int(0..<12)).map { _ in rng.pick(pieces) }.joined()
            if let spec = try? FieldsProjection.parse(fields) {
                _ = FieldsProjection.apply(spec, to: record)
            }
            let html = (0..<rng.int(0..<40)).map { _ in rng.pick(htmlPieces) }.joined()
            let excerpt = Excerpt(max: rng.int(1..<30), withEllipsis: rng.chance(50)).apply(toHTML: html)
            #expect(excerpt.unicodeScalars.count <= 33)
        }
    }

    // MARK: - Generators

    private func mutate(_ bytes: inout [UInt8], using rng: inout SeededRandom, fragments: [[UInt8]]) {
        for _ in 0..<rng.int(1..<4) {
            switch rng.int(0..<6) {
            case 0 where !bytes.isEmpty: bytes[rng.int(0..<bytes.count)] ^= UInt8(1 << rng.int(0..<8))
            case 1 where !bytes.isEmpty: bytes.remove(at: rng.int(0..<bytes.count))
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: rng.int(0..<(bytes.count + 1)))
            case 3 where !bytes.isEmpty: bytes.removeLast(rng.int(0..<bytes.count))
            case 4: bytes.insert(contentsOf: rng.pick(fragments), at: rng.int(0..<(bytes.count + 1)))
            default:
                if bytes.count > 2 {
                    let start = rng.int(0..<bytes.count - 1)
                    let end = rng.int((start + 1)..<bytes.count)
                    bytes.insert(contentsOf: bytes[start..<end], at: rng.int(0..<(bytes.count + 1)))
                }
            }
        }
    }

    private func randomName(_ rng: inout SeededRandom) -> String {
        rng.pick(["title", "n", "tags", "tags+", "+tags", "n-", "a b", "é", "x.y", "k=v", "semi;colon", "q\"uote"])
    }

    private func randomValue(_ rng: inout SeededRandom) -> String {
        rng.pick([
            "", "true", "false", "0", "7", "-1.5", "007", "1e3", "1.0", "text", "with space", "a&b=c", "100%",
            "line\nbreak", "crlf\r\nx", "--B0und", "\u{1F600}", "[1,2]", "{\"a\":1}", "null", " ",
        ])
    }

    private func randomJSONText(_ rng: inout SeededRandom) -> String {
        randomJSON(&rng, depth: 0, forceObject: true).jsonString
    }

    private func randomJSON(_ rng: inout SeededRandom, depth: Int, forceObject: Bool = false) -> JSONValue {
        let kind = forceObject ? 5 : rng.int(0..<(depth > 3 ? 4 : 6))
        switch kind {
        case 0: return .null
        case 1: return .bool(rng.chance(50))
        case 2:
            return rng.chance(50)
                ? .number(Double(rng.int(-1000..<1000)))
                : .number(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.chance(50) ? 1 : -1))
        case 3: return .string(rng.pick(["", "a", "é\u{1F600}", "quote\"back\\slash", "ctl\u{1}\n\t", "\u{2028}"]))
        case 4: return .array((0..<rng.int(0..<4)).map { _ in randomJSON(&rng, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<rng.int(0..<5) {
                members[rng.pick(["a", "b", "c+", "@jsonPayload", "é", ""])] = randomJSON(&rng, depth: depth + 1)
            }
            return .object(members)
        }
    }
}
