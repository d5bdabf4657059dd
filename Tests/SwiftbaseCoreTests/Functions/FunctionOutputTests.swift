import Foundation
import Testing

@testable import SwiftbaseCore

@Suite("Function outputs")
struct FunctionOutputTests {
    static func http(_ text: String) -> FunctionHTTPResponse {
        FunctionService.httpResponse(from: Array(text.utf8))
    }

    @Test func aStatusHeadersBodyObjectIsTheAnswer() {
        let answer = Self.http(#"{"status": 201, "headers": {"X-Id": "7", "n": 1}, "body": {"ok": true}}"#)
        #expect(answer.status == 201)
        #expect(answer.headers == ["x-id": "7", "n": "1", "content-type": "application/json"])
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"ok":true}"#)
    }

    @Test func aStringBodyIsSentAsItIs() {
        let answer = Self.http(#"{"body": "<b>hi</b>", "headers": {"content-type": "text/html"}}"#)
        #expect(answer.status == 200 && answer.headers == ["content-type": "text/html"])
        #expect(String(decoding: answer.body, as: UTF8.self) == "<b>hi</b>")
    }

    @Test func otherOutputIsA200BodyAsItIs() {
        let json = Self.http(#"{"items": [1, 2]}"#)
        #expect(json.status == 200 && json.headers["content-type"] == "application/json")
        #expect(String(decoding: json.body, as: UTF8.self) == #"{"items": [1, 2]}"#)
        let text = Self.http("hello")
        #expect(text.headers["content-type"] == "text/plain; charset=utf-8" && text.body == Array("hello".utf8))
        let array = Self.http("[1]")
        #expect(array.headers["content-type"] == "application/json")
        let empty = Self.http("")
        #expect(empty.status == 200 && empty.body.isEmpty)
    }

    @Test(arguments: [(99.0, 200), (600.0, 200), (201.5, 200), (404.0, 404)])
    func anImpossibleStatusIsA200(status: Double, expected: Int) {
        #expect(Self.http(#"{"status": \#(status)}"#).status == expected)
    }

    @Test func aHooksErrorRefusesWithItsStatusAndData() {
        let refusal = FunctionBeforeHooks.refusal(
            ["status": 403, "message": "No.", "data": ["title": ["code": "spam", "message": "No spam."]]], failure: "Failed.")
        #expect(refusal.code == .forbidden && refusal.message == "No.")
        #expect(refusal.data.json == ["title": ["code": "spam", "message": "No spam."]])
        let plain = FunctionBeforeHooks.refusal(["status": 500], failure: "Failed to create record.")
        #expect(plain.code == .badRequest && plain.message == "Failed to create record." && plain.data.isEmpty)
    }

    @Test func anAfterHooksInputSplicesTheLoggedRecord() throws {
        let entry = ChangeFeedEntry(
            seq: 42, created: "2026-12-06 00:00:00.000Z", collectionId: "c1", collectionName: "posts", recordId: "r1",
            action: "update", recordJSON: #"{"id":"r1","title":"Hi"}"#, actor: "u1")
        let input = try JSONValue.parse(Data(FunctionInputs.afterHook(entry)))
        #expect(input == [
            "seq": 42, "action": "update", "collection": "posts", "original": .null, "auth": .null, "actor": "u1",
            "record": ["id": "r1", "title": "Hi"],
        ])
    }
}
