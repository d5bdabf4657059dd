import SwiftbaseCore
import Testing

@testable import SwiftbaseHTTP

/// What a batch item may be, and how its body is read.
@Suite("Batch items")
struct BatchFormTests {
    @Test(arguments: [
        ("POST", "/api/collections/posts/records", BatchAction.Kind.create),
        ("PUT", "/api/collections/posts/records?fields=id", .upsert),
        ("PATCH", "/api/collections/posts/records/abc", .update("abc")),
        ("DELETE", "/api/collections/posts/records/abc?x=1", .delete("abc")),
    ])
    func recordWritesAreActions(method: String, url: String, kind: BatchAction.Kind) throws {
        let action = try #require(BatchAction(method: method, url: url))
        #expect(action.kind == kind && action.collection == "posts")
    }

    @Test(arguments: [
        ("GET", "/api/collections/posts/records"), ("PUT", "/api/collections/posts/records/abc"),
        ("POST", "/api/collections/posts/records/abc"), ("PATCH", "/api/collections/posts/records/"),
        ("DELETE", "/api/collections/posts/records"), ("POST", "api/collections/posts/records"),
        ("POST", "/api/health"), ("POST", "/api/collections"), ("POST", "/api/collections//records"),
        ("POST", "/api/collections/posts/records/abc/extra"),
    ])
    func everythingElseIsNot(method: String, url: String) {
        #expect(BatchAction(method: method, url: url) == nil)
    }

    @Test func fileParts() {
        #expect(BatchForm.fileTarget("requests.3.avatar")! == (3, "avatar"))
        #expect(BatchForm.fileTarget("requests[12].docs+")! == (12, "docs+"))
        #expect(BatchForm.fileTarget("avatar") == nil)
        #expect(BatchForm.fileTarget("requests.x.avatar") == nil)
        #expect(BatchForm.fileTarget("requests.-1.avatar") == nil)
        #expect(BatchForm.fileTarget("requests.1.") == nil)
    }

    @Test func theSDKsWrappedBodyIsAccepted() throws {
        let inner = #"{"requests":[{"method":"POST","url":"/api/collections/p/records","body":{"t":1}}]}"#
        let items = try BatchForm.items(
            from: RequestBody(values: ["@jsonPayload": .string(inner)]), maxRequests: 5)
        #expect(items.count == 1 && items[0].body == ["t": 1])
    }

    @Test func wrongTypesCannotBeRead() {
        for values: [String: JSONValue] in [
            ["requests": "x"], ["requests": [1]], ["requests": [["method": 1, "url": "/"]]],
            ["requests": [["method": "POST", "url": "/", "body": "x"]]],
            ["requests": [["method": "POST", "url": "/", "headers": ["a": 1]]]],
        ] {
            #expect(throws: BatchForm.readFailed) { try BatchForm.items(from: RequestBody(values: values), maxRequests: 5) }
        }
    }
}
