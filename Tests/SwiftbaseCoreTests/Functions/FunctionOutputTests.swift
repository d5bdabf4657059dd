import Foundation
import SwiftbaseSQLite
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
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"ok": true}"#)
    }

    @Test func aJSONBodyIsSentAsThePluginWroteIt() {
        let answer = Self.http(#"{"body": {"z": 1, "a": 12345678901234567890, "x": [1.50, "\u00e9"]}, "status": 200}"#)
        #expect(answer.headers == ["content-type": "application/json"])
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"z": 1, "a": 12345678901234567890, "x": [1.50, "\u00e9"]}"#)
        let null = Self.http(#"{"body": null, "status": 204}"#)
        #expect(null.status == 204 && null.body.isEmpty && null.headers.isEmpty)
    }

    @Test func aBodyThatIsNoJSONMakesTheWholeOutputText() {
        let answer = Self.http(#"{"status": 201, "body": {"a": 1, "a": 2}}"#)
        #expect(answer.status == 200 && answer.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"status": 201, "body": {"a": 1, "a": 2}}"#)
    }

    /// The input written straight from the request is the one the object `{auth, body, headers, method, path,
    /// query}` writes as (keys in byte order).
    @Test func theHTTPInputIsTheObjectsJSON() throws {
        let request = FunctionHTTPRequest(
            method: "POST", path: "/notes/é", query: ["b": "2", "a": "x\"y", "É": "3"],
            headers: ["x-b": "1", "content-type": "application/json"], body: Array(#"{"t":"\n"}"#.utf8))
        let auth: JSONValue = ["kind": "record", "id": "u1", "record": ["email": "a@b.c"]]
        let expected: JSONValue = [
            "method": "POST", "path": "/notes/é", "query": ["b": "2", "a": "x\"y", "É": "3"],
            "headers": ["x-b": "1", "content-type": "application/json"], "body": #"{"t":"\n"}"#, "auth": auth,
        ]
        #expect(String(decoding: FunctionService.httpInput(request, auth: auth), as: UTF8.self) == expected.jsonString)
        let empty = FunctionHTTPRequest(method: "GET", path: "/", query: [:], headers: [:], body: [])
        #expect(
            String(decoding: FunctionService.httpInput(empty, auth: .null), as: UTF8.self)
                == #"{"auth":null,"body":"","headers":{},"method":"GET","path":"/","query":{}}"#)
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

    /// A record hook's input, written straight to bytes, is the object `{action, auth, collection, original,
    /// record}` as `JSONValue` writes it.
    @Test func aRecordHooksInputIsTheObjectsJSON() throws {
        let posts = try CollectionModel(json: [
            "name": "posts", "fields": [["name": "title", "type": "text"], ["name": "views", "type": "number"]],
        ])
        let schema = SchemaSnapshot([posts], dialect: SQLiteDialect())
        let record = RecordModel(
            collectionId: posts.id, collectionName: "posts", values: ["id": "p1", "title": "Hé \"quoted\"", "views": 3])
        var original = record
        original.values["title"] = "before"
        let caller = AuthContext(.record(RecordModel(collectionId: "users", collectionName: "users", values: ["id": "u1"])))
        for (previous, auth) in [(nil, AuthContext.guest), (original, caller)] as [(RecordModel?, AuthContext)] {
            let written = FunctionInputs.recordHook(
                action: "update", collection: posts, record: record, original: previous, auth: auth, schema: schema)
            let object: JSONValue = [
                "action": "update", "collection": "posts", "record": FunctionInputs.record(record, in: posts),
                "original": previous.map { FunctionInputs.record($0, in: posts) } ?? .null,
                "auth": FunctionInputs.auth(auth, schema: schema),
            ]
            #expect(written == object.jsonBytes)
            #expect(try StrictJSONParser.parseDocument(written)["record"]?["title"] == "Hé \"quoted\"")
        }
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
