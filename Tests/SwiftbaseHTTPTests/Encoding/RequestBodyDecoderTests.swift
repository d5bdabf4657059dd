import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

/// Builds a multipart body the way browsers and SDKs do.
struct MultipartFixture {
    enum Item {
        case field(String, String)
        case file(String, filename: String, contentType: String?, data: [UInt8])
        case raw(String)  // a whole part (headers + CRLF CRLF + data), verbatim
    }

    var boundary = "----sbBoundary7MA4YWxkTrZu0gW"
    var items: [Item]

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Backslash-escapes `"` and `\` for a quoted header parameter.
    static func quoted(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        for item in items {
            out += Array("--\(boundary)\r\n".utf8)
            switch item {
            case .field(let name, let value):
                out += Array("Content-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)".utf8)
            case .file(let name, let filename, let contentType, let data):
                out += Array("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n".utf8)
                if let contentType { out += Array("Content-Type: \(contentType)\r\n".utf8) }
                out += Array("\r\n".utf8) + data
            case .raw(let text):
                out += Array(text.utf8)
            }
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }
}

@Suite struct RequestBodyDecoderTests {
    private func decode(_ contentType: String?, _ body: String) throws(SwiftbaseError) -> RequestBody {
        try RequestBodyDecoder.decode(contentType: contentType, body: Array(body.utf8))
    }

    private func expectInvalid(
        _ contentType: String?, _ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            throws: SwiftbaseError.badRequest(RequestBodyDecoder.invalidFormattingMessage),
            sourceLocation: sourceLocation
        ) {
            try RequestBodyDecoder.decode(contentType: contentType, body: body)
        }
    }

    // MARK: Empty bodies and content types

    @Test(arguments: [
        nil, "", "application/json", "multipart/form-data", "text/plain", "application/x-www-form-urlencoded",
    ])
    func emptyBodyIsEmptyObject(contentType: String?) throws {
        let body = try RequestBodyDecoder.decode(contentType: contentType, body: [])
        #expect(body.values.isEmpty)
        #expect(body.files.isEmpty)
    }

    @Test(arguments: [nil, "", "text/plain", "application/xml", "text/xml", "application/octet-stream", "json"])
    func unsupportedContentTypeWithBody(contentType: String?) {
        #expect(throws: SwiftbaseError.badRequest("Unsupported Content-Type.")) {
            try decode(contentType, #"{"a":1}"#)
        }
    }

    @Test(arguments: [
        "application/json", "application/json; charset=utf-8", "Application/JSON", " application/json",
        "application/jsonpatch",
    ])
    func jsonContentTypes(contentType: String) throws {
        #expect(try decode(contentType, #"{"a":1}"#).values == ["a": 1])
    }

    // MARK: JSON

    @Test func jsonObjectKeepsValuesAndModifierKeysVerbatim() throws {
        let body = try decode(
            "application/json",
            #"{"title":"x","n+":10,"+tags":["a"],"tags-":"b","flag":true,"none":null,"nested":{"k":[1,"2"]},"n":"7"}"#)
        #expect(
            body.values == [
                "title": "x", "n+": 10, "+tags": ["a"], "tags-": "b", "flag": true, "none": nil,
                "nested": ["k": [1, "2"]], "n": "7",
            ])
        #expect(!body.isForm)
        #expect(body.files.isEmpty)
    }

    @Test func jsonPayloadKeyInJSONBodyIsAPlainKey() throws {
        #expect(
            try decode("application/json", #"{"@jsonPayload":"{\"a\":1}"}"#).values == ["@jsonPayload": #"{"a":1}"#])
    }

    @Test func jsonNullBindsAsEmpty() throws {
        #expect(try decode("application/json", " null ").values.isEmpty)
    }

    @Test func jsonTrailingDataAfterTheObjectIsIgnored() throws {
        #expect(try decode("application/json", #"{"a":1} , something"#).values == ["a": 1])
    }

    @Test(arguments: [
        "[]", "[{\"a\":1}]", "1", "\"text\"", "true", "  ", "{", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}",
        "{\"a\":1,\"a\":2}", "{\"o\":{\"k\":1,\"k\":1}}", "{\"a\":1e999}", "{\"a\":01}", "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\x\"}", "{\"a\":\"tab\there\"}", "{\"a\":NaN}", "\u{FEFF}{}", "{\"a\":[1,]}", "{\"a\":-}",
        "{\"a\":.5}", "{\"a\":1.}", "{\"a\":tru}",
    ])
    func malformedJSON(body: String) {
        expectInvalid("application/json", Array(body.utf8))
    }

    @Test func jsonWithInvalidUTF8() {
        expectInvalid("application/json", Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))
        expectInvalid("application/json", Array(#"{""#.utf8) + [0xC3] + Array(#"":1}"#.utf8))
    }

    @Test func jsonNestingIsCapped() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        expectInvalid("application/json", Array(#"{"a":\#(deep)}"#.utf8))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try decode("application/json", #"{"a":\#(fine)}"#).values["a"] != nil)
    }

    @Test func jsonEscapes() throws {
        let body = try decode("application/json", #"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","\u0041":1}"#)
        #expect(body.values == ["s": "\"\\/\u{8}\u{C}\n\r\té😀", "A": 1])
    }

    // MARK: urlencoded

    @Test func urlEncodedValuesAreInferred() throws {
        let body = try decode(
            "application/x-www-form-urlencoded",
            "title=hello+world&n=7&price=-1.5&zip=007&on=true&off=false&empty=&bare&tags=a&tags=b&tags=3&pct=%41%2B%26")
        #expect(
            body.values == [
                "title": "hello world", "n": 7, "price": -1.5, "zip": "007", "on": true, "off": false, "empty": "",
                "bare": "", "tags": ["a", "b", 3], "pct": "A+&",
            ])
        #expect(body.isForm)
    }

    @Test func urlEncodedEdgeCases() throws {
        let body = try decode(
            "application/x-www-form-urlencoded; charset=UTF-8", "&&a=1&&=v&k%2B=x=y&caf%C3%A9=%E2%82%AC")
        #expect(body.values == ["a": 1, "": "v", "k+": "x=y", "café": "€"])
    }

    @Test(arguments: ["a=%zz", "a=%4", "a=%", "%g0=1", "a=1;b=2", "a;=1", "a=%FF", "a=%C3"])
    func malformedURLEncoded(body: String) {
        expectInvalid("application/x-www-form-urlencoded", Array(body.utf8))
    }

    @Test func urlEncodedJSONPayloadIsMerged() throws {
        let payload = #"{"a":[1,2],"b":{"c":null}}"#.addingPercentEncodingForTest()
        let body = try decode("application/x-www-form-urlencoded", "a=x&keep=1&@jsonPayload=\(payload)")
        #expect(body.values == ["a": [1, 2], "b": ["c": nil], "keep": 1])
    }

    // MARK: multipart

    @Test func multipartValuesAndFiles() throws {
        let fixture = MultipartFixture(items: [
            .field("title", "Hello"),
            .field("n", "42"),
            .field("tags", "a"),
            .field("tags", "true"),
            .field("empty", ""),
            .file("docs", filename: "a.txt", contentType: "text/plain", data: Array("one".utf8)),
            .file("docs+", filename: "dir/sub/b.bin", contentType: nil, data: [0, 1, 2, 0xFF, 13, 10]),
            .field("docs", "existing.txt"),
        ])
        let body = try RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes)
        #expect(body.values == ["title": "Hello", "n": 42, "tags": ["a", true], "empty": "", "docs": "existing.txt"])
        #expect(
            body.files["docs"] == [UploadedFile(filename: "a.txt", contentType: "text/plain", data: Array("one".utf8))])
        #expect(
            body.files["docs+"] == [UploadedFile(filename: "b.bin", contentType: nil, data: [0, 1, 2, 0xFF, 13, 10])])
        #expect(body.isForm)
    }

    @Test func multipartJSONPayloadMergesOverPlainParts() throws {
        let fixture = MultipartFixture(items: [
            .field("title", "plain"),
            .field("other", "1"),
            .field("@jsonPayload", #"{"title":"from json","n":"7","list":[1,"x"]}"#),
            .file("avatar", filename: "me.png", contentType: "image/png", data: [0x89, 0x50]),
        ])
        let body = try RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes)
        #expect(body.values == ["title": "from json", "other": 1, "n": "7", "list": [1, "x"]])
        #expect(body.files["avatar"]?.count == 1)
    }

    @Test func multipleJSONPayloadsApplyInOrder() throws {
        let fixture = MultipartFixture(items: [
            .field("@jsonPayload", #"{"a":1,"b":1}"#),
            .field("@jsonPayload", #"{"b":2}"#),
            .field("@jsonPayload", "null"),
        ])
        let body = try RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes)
        #expect(body.values == ["a": 1, "b": 2])
    }

    @Test(arguments: [#"[1]"#, #""x""#, #"{"a":1} x"#, #"{"a":1,"a":2}"#, "", "{"])
    func invalidJSONPayload(payload: String) {
        let fixture = MultipartFixture(items: [.field("@jsonPayload", payload)])
        expectInvalid(fixture.contentType, fixture.bytes)
    }

    @Test func multipartDispositionVariants() throws {
        let fixture = MultipartFixture(items: [
            .raw("content-disposition: form-data; name=unquoted\r\n\r\nv1"),
            .raw("Content-Disposition: form-data; name=\"a;b=c\"\r\n\r\nv2"),
            .raw("Content-Disposition: form-data; name=\"esc\\\"q\"\r\n\r\nv3"),
            .raw("Content-Disposition: form-data; name*=UTF-8''caf%C3%A9\r\n\r\nv4"),
            .raw("Content-Disposition: form-data; name=\"e\"; filename=\"\"\r\n\r\nnot a file"),
            .raw("Content-Disposition: form-data; name=\"f\"; filename*=utf-8''%E2%82%AC.txt\r\n\r\nfile"),
            .raw("Content-Disposition: attachment; name=\"skipped\"\r\n\r\nx"),
            .raw("Content-Disposition: form-data\r\n\r\nno name"),
            .raw("Content-Disposition: form-data; name=\"\"\r\n\r\nempty name"),
            .raw("Content-Disposition: form-data; name=\"dup\"; name=\"other\"\r\n\r\nx"),
            .raw("Content-Type: text/plain\r\n\r\nno disposition"),
            .raw("Content-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nv5"),
            .raw("Content-Disposition: form-data; name=\"trail\";\r\n\r\nv6"),
            .raw("Content-Disposition: form-data; name=\"win\"; filename=\"C:\\dir\\x.txt\"\r\n\r\nw"),
        ])
        let body = try RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes)
        #expect(
            body.values == [
                "unquoted": "v1", "a;b=c": "v2", "esc\"q": "v3", "café": "v4", "e": "not a file", "folded": "v5",
                "trail": "v6",
            ])
        #expect(body.files["f"]?.first?.filename == "€.txt")
        #expect(body.files["win"]?.first?.filename == "C:\\dir\\x.txt")
    }

    @Test func multipartLenientFraming() throws {
        // preamble, LF-only line endings, whitespace after the boundary, epilogue
        let text =
            "preamble line\n--XyZ  \nContent-Disposition: form-data; name=\"a\"\n\nline1\nline2\n"
            + "--XyZ\nContent-Disposition: form-data; name=\"b\"\n\n\n--XyZ--\t\nepilogue garbage"
        let body = try RequestBodyDecoder.decode(
            contentType: "multipart/form-data; boundary=\"XyZ\"", body: Array(text.utf8))
        #expect(body.values == ["a": "line1\nline2", "b": ""])
    }

    @Test func multipartDataMayContainBoundaryLookalikes() throws {
        let data = "x\r\n--XyZz\r\n--XyZ-a\r\n--Xy"
        let text = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\(data)\r\n--XyZ--"
        let body = try RequestBodyDecoder.decode(
            contentType: "multipart/form-data; boundary=XyZ", body: Array(text.utf8))
        #expect(body.values == ["a": .string(data)])
    }

    @Test func multipartEmptyForm() throws {
        let body = try RequestBodyDecoder.decode(
            contentType: "multipart/form-data; boundary=b", body: Array("--b--\r\n".utf8))
        #expect(body.values.isEmpty && body.files.isEmpty)
    }

    @Test func multipartPartWithoutBlankLineData() throws {
        // empty data directly followed by the delimiter (no CRLF in between) is accepted, as in Go
        let text = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b--"
        let body = try RequestBodyDecoder.decode(contentType: "multipart/form-data; boundary=b", body: Array(text.utf8))
        #expect(body.values == ["a": ""])
    }

    @Test(arguments: [
        // missing / invalid boundary parameter
        ("multipart/form-data", "--b\r\n\r\nx\r\n--b--"),
        ("multipart/form-data; boundary=", "--b--"),
        ("multipart/form-data; boundary=\"b", "--b--"),
        ("multipart/form-datax; boundary=b", "--b--"),
        ("multipart/form-data; boundary=a; boundary=b", "--b--"),
        // framing
        ("multipart/form-data; boundary=b", "no boundary at all"),
        ("multipart/form-data; boundary=b", "--c\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--c--"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b\r\n"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a"),
        (
            "multipart/form-data; boundary=b",
            "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b junk\r\n--b--"
        ),
        ("multipart/form-data; boundary=b", "--b\r\nno colon here\r\n\r\nx\r\n--b--"),
        ("multipart/form-data; boundary=b", "--b\r\n folded first\r\n\r\nx\r\n--b--"),
        ("multipart/form-data; boundary=b", "--b\r\nBad Name: v\r\n\r\nx\r\n--b--"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--x"),
        ("multipart/form-data; boundary=b", "--b--junk"),
    ])
    func malformedMultipart(contentType: String, body: String) {
        expectInvalid(contentType, Array(body.utf8))
    }

    @Test func multipartValueWithInvalidUTF8() {
        var fixture = MultipartFixture(items: [.raw("Content-Disposition: form-data; name=\"a\"\r\n\r\n")])
        var bytes = fixture.bytes
        // put invalid UTF-8 into the value (just before the CRLF that ends the part)
        let insertAt = bytes.count - Array("\r\n--\(fixture.boundary)--\r\n".utf8).count
        bytes.insert(contentsOf: [0xC3, 0x28], at: insertAt)
        expectInvalid(fixture.contentType, bytes)
        // the same bytes in a file part are fine
        fixture.items = [.file("f", filename: "x", contentType: nil, data: [0xC3, 0x28])]
        #expect(
            (try? RequestBodyDecoder.decode(contentType: fixture.contentType, body: fixture.bytes))?.files["f"]?.first?
                .data == [0xC3, 0x28])
    }

    @Test func tooManyParts() {
        let fixture = MultipartFixture(items: Array(repeating: .field("a", "1"), count: MultipartBody.maxParts + 1))
        expectInvalid(fixture.contentType, fixture.bytes)
        let fine = MultipartFixture(items: Array(repeating: .field("a", "1"), count: 50))
        #expect(
            (try? RequestBodyDecoder.decode(contentType: fine.contentType, body: fine.bytes))?.values["a"]?.arrayValue?
                .count == 50)
    }

    @Test(arguments: [
        ("a/b/c.txt", "c.txt"), ("c.txt", "c.txt"), ("dir/", "dir"), ("/", "/"), ("//", "/"), ("a\\b", "a\\b"),
    ])
    func fileBaseName(path: String, expected: String) {
        #expect(RequestBodyDecoder.baseName(path) == expected)
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters (for building urlencoded test bodies).
    func addingPercentEncodingForTest() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
