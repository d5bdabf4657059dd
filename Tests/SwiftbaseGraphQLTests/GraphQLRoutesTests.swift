import HTTPTypes
import SwiftbaseCore
import SwiftbaseTesting
import Testing

/// `/api/graphql` in-process: the same identity and rules as REST, the schema following collection changes,
/// validation errors in PocketBase's shape, limits refused before anything runs.
@Suite(.timeLimit(.minutes(1))) struct GraphQLRoutesTests {
    func graphql(
        _ client: SwiftbaseTestClient, _ query: String, variables: JSONValue = [:], token: String? = nil
    ) async throws -> SwiftbaseTestClient.Reply {
        try await client.request(
            .post, "/api/graphql", token: token, json: ["query": .string(query), "variables": variables])
    }

    /// `authors` (public) and `posts` (listed by anyone, only the author's own `draft`s hidden from others).
    func makeBlog(_ client: SwiftbaseTestClient, token: String) async throws {
        let authors = try await client.request(
            .post, "/api/collections", token: token,
            json: [
                "name": "authors", "listRule": "", "viewRule": "",
                "fields": [["name": "name", "type": "text", "required": true]],
            ])
        #expect(authors.status == 200)
        let posts = try await client.request(
            .post, "/api/collections", token: token,
            json: [
                "name": "posts", "listRule": "draft = false", "viewRule": "draft = false", "createRule": "",
                "updateRule": "", "deleteRule": "",
                "fields": [
                    ["name": "title", "type": "text", "required": true, "max": 20],
                    ["name": "views", "type": "number", "onlyInt": true],
                    ["name": "draft", "type": "bool"],
                    ["name": "author", "type": "relation", "collectionId": authors.json["id"] ?? "", "maxSelect": 1],
                ],
            ])
        #expect(posts.status == 200)
    }

    @Test func queriesAnswerWhatRESTAnswersWithRelations() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            try await makeBlog(client, token: token)
            let ada = try await client.request(
                .post, "/api/collections/authors/records", token: token, json: ["name": "Ada"])
            for (title, views, draft) in [("one", 1, false), ("two", 2, false), ("hidden", 3, true)] {
                let post = try await client.request(
                    .post, "/api/collections/posts/records", token: token,
                    json: [
                        "title": .string(title), "views": .number(Double(views)), "draft": .bool(draft),
                        "author": ada.json["id"] ?? "",
                    ])
                #expect(post.status == 200)
            }
            let reply = try await graphql(
                client, "{ posts(order_by: [{views: desc}]) { title views author { name } } }")
            #expect(reply.status == 200)
            let titles = reply.json["data"]?["posts"]?.arrayValue?.compactMap { $0["title"]?.stringValue }
            #expect(titles == ["two", "one"])
            #expect(reply.json["data"]?["posts"]?.arrayValue?.first?["author"]?["name"] == "Ada")

            let rest = try await client.request(.get, "/api/collections/posts/records?sort=-views")
            #expect(rest.json["items"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == titles)

            let superuser = try await graphql(
                client, #"{ posts(where: {draft: {_eq: true}}) { title } }"#, token: token)
            #expect(superuser.json["data"]?["posts"]?.arrayValue?.count == 1, "\(superuser.json)")

            let filtered = try await graphql(
                client,
                #"query($min: Int) { posts(where: {views: {_gte: $min}}, filter: "title != 'two'") { title } }"#,
                variables: ["min": 1])
            #expect(
                filtered.json["data"]?["posts"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["one"],
                "\(filtered.json)")

            let paged = try await graphql(client, "{ posts(order_by: {views: asc}, limit: 1, offset: 1) { title } }")
            #expect(paged.json["data"]?["posts"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["two"])

            let back = try await graphql(client, "{ authors { name posts_via_author { title } } }")
            #expect(back.json["data"]?["authors"]?[0]?["posts_via_author"]?.arrayValue?.count == 2)
        }
    }

    @Test func mutationsGoThroughTheRecordServiceWithValidationErrorsInExtensions() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            try await makeBlog(client, token: token)
            let created = try await graphql(
                client, #"mutation { insert_posts_one(object: {title: "new", views: 1}) { id title views } }"#)
            let id = created.json["data"]?["insert_posts_one"]?["id"]?.stringValue ?? ""
            #expect(!id.isEmpty)

            let updated = try await graphql(
                client,
                "mutation($id: String!) { update_posts_by_pk(pk_columns: {id: $id}, _set: {title: \"renamed\"}, _inc: {views: 5}) { title views } }",
                variables: ["id": .string(id)])
            #expect(updated.json["data"]?["update_posts_by_pk"]?["views"] == 6)
            #expect(updated.json["data"]?["update_posts_by_pk"]?["title"] == "renamed")

            let invalid = try await graphql(
                client, #"mutation { insert_posts_one(object: {title: "far too long for the max of twenty"}) { id } }"#)
            let error = invalid.json["errors"]?[0]
            #expect(error?["message"] == "Failed to create record.")
            #expect(error?["extensions"]?["code"] == 400)
            #expect(error?["extensions"]?["data"]?["title"]?["code"] == "validation_max_text_constraint")

            let deleted = try await graphql(
                client, "mutation($id: String!) { delete_posts_by_pk(id: $id) { title } }",
                variables: ["id": .string(id)])
            #expect(deleted.json["data"]?["delete_posts_by_pk"]?["title"] == "renamed")
            let gone = try await client.request(.get, "/api/collections/posts/records/\(id)")
            #expect(gone.status == 404)
        }
    }

    @Test func theSchemaFollowsCollectionChanges() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            let before = try await client.request(.get, "/api/graphql/schema")
            #expect(before.status == 200)
            #expect(before.json.stringValue?.contains("posts_by_pk") == false)
            try await makeBlog(client, token: token)
            let after = try await client.request(.get, "/api/graphql/schema")
            #expect(after.json.stringValue?.contains("posts_by_pk(id: String!): posts") == true)
            let introspection = try await graphql(client, #"{ __type(name: "posts") { fields { name } } }"#)
            let names = introspection.json["data"]?["__type"]?["fields"]?.arrayValue?.compactMap {
                $0["name"]?.stringValue
            }
            #expect(names?.contains("author") == true)
            // What graphql-core and GraphiQL ask by default (input value deprecation included).
            let inputs = try await graphql(
                client,
                #"{ __type(name: "posts_bool_exp") { inputFields(includeDeprecated: true) { name isDeprecated } } }"#)
            #expect(inputs.json["errors"] == nil, "\(inputs.json)")
            #expect(inputs.json["data"]?["__type"]?["inputFields"]?[0]?["isDeprecated"] == false)
        }
    }

    @Test func limitsAndBadInputAreRefusedBeforeAnythingRuns() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            try await makeBlog(client, token: token)
            let tooMany = try await graphql(client, "{ posts(limit: 1001) { id } }")
            #expect(tooMany.json["data"] == nil)
            #expect(tooMany.json["errors"]?[0]?["message"] == "The limit 1001 is over the page size limit of 1000.")

            let deep =
                "{ authors { posts_via_author { author { posts_via_author { author { posts_via_author { author { posts_via_author { id } } } } } } } } }"
            let tooDeep = try await graphql(client, deep)
            #expect(tooDeep.json["data"] == nil)
            #expect(tooDeep.json["errors"]?[0]?["message"]?.stringValue?.contains("nested 9 levels deep") == true)

            let brackets = String(repeating: "{a:", count: 5000)
            let hostile = try await graphql(client, "{ posts(where: \(brackets)) { id } }")
            #expect(hostile.status == 200)
            #expect(hostile.json["errors"]?[0]?["message"]?.stringValue?.contains("brackets") == true)

            let notJSON = try await client.request(.post, "/api/graphql", rawBody: "{\"query\": ")
            #expect(notJSON.status == 400)
            #expect(notJSON.json["errors"]?[0]?["message"] != nil)

            let unknown = try await graphql(client, "{ nothing_here { id } }")
            #expect(unknown.json["errors"]?[0]?["message"]?.stringValue?.contains("nothing_here") == true)

            let mutationByGet = try await client.request(
                .get, "/api/graphql?query=mutation%20%7B%20delete_posts_by_pk(id%3A%20%22x%22)%20%7B%20id%20%7D%20%7D")
            #expect(mutationByGet.status == 405)

            let byGet = try await client.request(.get, "/api/graphql?query=%7B+posts+%7B+id+%7D+%7D")
            #expect(byGet.status == 200)
            #expect(byGet.json["data"]?["posts"]?.arrayValue?.count == 0)
        }
    }

    @Test func rulesAndAPIKeyScopesApplyAsInREST() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            let secrets = try await client.request(
                .post, "/api/collections", token: token,
                json: ["name": "secrets", "fields": [["name": "body", "type": "text"]]])
            #expect(secrets.status == 200)
            _ = try await client.request(.post, "/api/collections/secrets/records", token: token, json: ["body": "x"])
            let guest = try await graphql(client, "{ secrets { body } }")
            #expect(guest.json["errors"]?[0]?["message"] == "Only superusers can perform this action.")
            #expect(guest.json["errors"]?[0]?["extensions"]?["code"] == 403)
            let rest = try await client.request(.get, "/api/collections/secrets/records")
            #expect(rest.status == 403)
            let superuser = try await graphql(client, "{ secrets { body } }", token: token)
            #expect(superuser.json["data"]?["secrets"]?[0]?["body"] == "x")
        }
    }
}
