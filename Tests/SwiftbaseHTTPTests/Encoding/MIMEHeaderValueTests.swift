import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

@Suite struct MIMEHeaderValueTests {
    @Test(arguments: [
        ("form-data; name=\"a\"", "form-data", ["name": "a"]),
        ("Form-Data ; NAME = a ; filename=\"x y.txt\"", "form-data", ["name": "a", "filename": "x y.txt"]),
        (
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            "multipart/form-data", ["boundary": "----WebKitFormBoundary7MA4YWxkTrZu0gW"]
        ),
        ("text/plain;", "text/plain", [:]),
        ("text/plain; charset=utf-8;  ", "text/plain", ["charset": "utf-8"]),
        ("form-data; name=\"a\"; name=\"a\"", "form-data", ["name": "a"]),
        ("form-data; name=\"q\\\"\\\\\\x\"", "form-data", ["name": "q\"\\\\x"]),
        ("form-data; name=\"\"", "form-data", ["name": ""]),
        ("form-data; name*=utf-8'en'%E2%82%AC; name=plain", "form-data", ["name": "€"]),
        ("form-data; name*=iso-8859-1''%E9", "form-data", [:]),
        ("form-data; name*0=ab; name*1=cd", "form-data", ["name": "abcd"]),
        ("form-data; name*0*=utf-8''%C3%A9; name*1*=%C3%A8; name*2=z", "form-data", ["name": "éèz"]),
        ("form-data; name*0=a; name*2=c", "form-data", ["name": "a"]),
    ])
    func parses(text: String, type: String, parameters: [String: String]) throws {
        #expect(try MIMEHeaderValue.parse(text) == MIMEHeaderValue(type: type, parameters: parameters))
    }

    @Test(arguments: [
        "", " ", "/", "text/", "/plain", "text/plain/x", "te xt", "a@b", "\"form-data\"", "form-data name=a",
    ])
    func invalidTypes(text: String) {
        #expect(throws: MIMEHeaderValue.ParseError.invalidType) { try MIMEHeaderValue.parse(text) }
    }

    @Test(arguments: [
        "form-data; name", "form-data; name=", "form-data; =a", "form-data; name=\"open",
        "form-data; name=a b", "form-data; name=\"a\r\nb\"", "form-data;;name=a",
    ])
    func invalidParameters(text: String) {
        #expect(throws: MIMEHeaderValue.ParseError.invalidParameter(type: "form-data")) { try MIMEHeaderValue.parse(text) }
    }

    @Test func duplicateParameterWithAnotherValue() {
        #expect(throws: MIMEHeaderValue.ParseError.duplicateParameter) { try MIMEHeaderValue.parse("form-data; name=a; NAME=b") }
    }
}
