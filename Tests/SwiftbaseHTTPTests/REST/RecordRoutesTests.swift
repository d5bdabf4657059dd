import Foundation
import Hummingbird
import SwiftbaseCore
import SwiftbaseTesting
import Testing

@Suite("REST records and collections, in-process", .timeLimit(.minutes(2)))
struct RecordRoutesTests {
    @Test func healthAndUnknownRoute() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let health = try await client.request(.get, "/api/health")
            #expect(health.status == 200)
            #expect(health.json["code"] == 200)
            #expect(health.json["message"] == "API is healthy.")
            let missing = try await client.request(.get, "/api/nope")
            #expect(missing.status == 404)
            #expect(missing.json["status"] == 404)
            #expect(missing.json["data"] == [:])
        }
    }

    @Test func collectionsRequireSuperuser() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let anonymous = try await client.request(.get, "/api/collections")
            #expect(anonymous.status == 401)
            let forged = try await client.request(.get, "/api/collections", token: "not.a.token")
            #expect(forged.status == 401)
            let token = try await client.superuserToken()
            let list = try await client.request(.get, "/api/collections", token: token)
            #expect(list.status == 200)
            let names = list.json["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("_superusers"))
            #expect(names.contains("users"))
        }
    }

    @Test func createFilterSortExpandAndDelete() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            let authors = try await client.request(
                .post, "/api/collections", token: token,
                json: ["name": "authors", "listRule": "", "viewRule": "", "fields": [["name": "name", "type": "text", "required": true]]])
            #expect(authors.status == 200)
            let authorsID = authors.json["id"]?.stringValue ?? ""
            let posts = try await client.request(
                .post, "/api/collections", token: token,
                json: [
                    "name": "posts", "listRule": "", "viewRule": "", "createRule": "",
                    "fields": [
                        ["name": "title", "type": "text", "max": 20],
                        ["name": "n", "type": "number"],
                        ["name": "author", "type": "relation", "collectionId": .string(authorsID), "maxSelect": 1],
                    ],
                ])
            #expect(posts.status == 200)

            let ada = try await client.request(.post, "/api/collections/authors/records", token: token, json: ["name": "Ada"])
            #expect(ada.status == 200)
            let adaID = ada.json["id"]?.stringValue ?? ""
            for (title, n) in [("first", 1), ("second", 2), ("third", 3)] {
                let created = try await client.request(
                    .post, "/api/collections/posts/records",
                    json: ["title": .string(title), "n": .number(Double(n)), "author": .string(adaID)])
                #expect(created.status == 200)
            }
            let filtered = try await client.request(
                .get, "/api/collections/posts/records?filter=n%20%3E%3D%202&sort=-n&expand=author")
            #expect(filtered.status == 200)
            #expect(filtered.json["totalItems"] == 2)
            let items = filtered.json["items"]?.arrayValue ?? []
            #expect(items.first?["title"] == "third")
            #expect(items.first?["expand"]?["author"]?["name"] == "Ada")

            let tooLong = try await client.request(
                .post, "/api/collections/posts/records", json: ["title": "a title that is much too long"])
            #expect(tooLong.status == 400)
            #expect(tooLong.json["data"]?["title"]?["code"] == "validation_max_text_constraint")

            let badFilter = try await client.request(.get, "/api/collections/posts/records?filter=title%20%3D%3D")
            #expect(badFilter.status == 400)
            #expect(badFilter.json["data"] == [:])

            let injection = try await client.request(
                .get, "/api/collections/posts/records?filter=" + "title = \"x' OR 1=1 --\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(injection.status == 200)
            #expect(injection.json["totalItems"] == 0)

            let blocked = try await client.request(.delete, "/api/collections/authors", token: token)
            #expect(blocked.status == 400)
        }
    }

    @Test func malformedBodiesAreRefusedInPocketBaseShape() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            _ = try await client.request(
                .post, "/api/collections", token: token,
                json: ["name": "notes", "createRule": "", "fields": [["name": "body", "type": "text"]]])
            let malformed = try await client.request(.post, "/api/collections/notes/records", rawBody: "{\"body\": ")
            #expect(malformed.status == 400)
            #expect(malformed.json["status"] == 400)
            let oversized = try await client.request(
                .post, "/api/collections/notes/records", rawBody: "{\"body\": \"" + String(repeating: "x", count: 2 << 20) + "\"}")
            #expect(oversized.status == 413)
            let unknown = try await client.request(.get, "/api/collections/nothing/records")
            #expect(unknown.status == 404)
            let count = try await client.request(.get, "/api/collections/notes/records", token: token)
            #expect(count.json["totalItems"] == 0)
        }
    }
}
