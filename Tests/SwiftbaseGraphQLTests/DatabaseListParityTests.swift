import Foundation
import GraphQL
import HTTPTypes
import Logging
import SwiftbaseCore
import SwiftbaseTesting
import Testing

@testable import Swiftbase
@testable import SwiftbaseGraphQL

/// List fields answered as JSON the database builds (`RecordService.listJSON`) answer byte for byte what the
/// records presented with `expand` answer, for every identity the rules tell apart: a guest, the author of
/// some records, another user, a superuser and an API key with scopes on some collections only. Queries the
/// database path must take are checked to take it, so the comparison is never vacuous; the others (multi-valued
/// fields, non-integral numbers, `limit: 0`, refusals) must fall back and still answer alike.
@Suite(.timeLimit(.minutes(2))) struct DatabaseListParityTests {
    /// A query and whether the database answers it: true for every identity but those named after it (a rule
    /// refuses them, or needs joins for them), false for none, nil when it depends on the data.
    static let queries: [(String, Bool?, Set<String>)] = [
        (
            "{ posts(order_by: {views: desc}) { id title views live when status author { id name email emailVisibility }"
                + " comments_via_post { id body hidden author { name email } } } }", true, []
        ),
        (
            "{ a: posts(limit: 2, offset: 1, order_by: {views: asc}) { t: title __typename ...F author { n: name name } }"
                + " __typename b: posts(where: {live: {_eq: true}}, order_by: {id: asc}) { id id title } }"
                + " fragment F on posts { views title collectionId collectionName }", true, []
        ),
        (
            "{ posts(where: {views: {_gte: 2}, author: {name: {_neq: \"x\"}}}, order_by: [{author: {name: asc}}, {id: desc}],"
                + " limit: 5, offset: 1, filter: \"title ~ 'o'\") { id title } }", true, []
        ),
        ("{ comments(order_by: {id: asc}) { body post { title author { name } } author { email } } }", true, []),
        ("{ users(order_by: {id: asc}) { id email name posts_via_author { title reviewer { name } } } }", true, ["API key"]),
        ("{ posts(order_by: {id: asc}) { id notes_via_post { text } } }", true, []),
        ("{ posts(where: {views: {_gt: 1000}}) { id } }", true, []),
        ("query($skip: Boolean!) { posts(order_by: {id: asc}) { id title @skip(if: $skip) ... on posts { live } } }", true, []),
        ("{ posts(order_by: {id: asc}) { title score } }", nil, []),
        ("{ posts(order_by: {id: asc}) { tags editors { name } } }", false, []),
        ("{ posts(order_by: {id: asc}) { id reviews_via_post { stars } } }", true, []),
        ("{ posts(limit: 0) { id } }", false, []),
        ("{ notes(order_by: {id: asc}) { text post { title } } }", true, ["guest", "author", "other user", "API key"]),
        ("{ posts(filter: \"nonsense ~~ \") { title } }", false, []),
        // Array relationships paged per record: in the statement with a limit and no joins, else the expander.
        (
            "{ posts(order_by: {id: asc}) { id comments_via_post(where: {body: {_neq: \"zzz\"}}, order_by: {body: desc},"
                + " limit: 2, offset: 1) { id body author { name } } } }", true, []
        ),
        (
            "{ posts(order_by: {id: asc}) { first: comments_via_post(order_by: {id: asc}, limit: 1) { id }"
                + " last: comments_via_post(order_by: {id: desc}, limit: 1, filter: \"body != ''\") { id } all: comments_via_post { id } } }",
            true, []
        ),
        ("{ posts(order_by: {id: asc}) { id comments_via_post(order_by: {body: asc}) { body } } }", false, []),
        (
            "{ posts(order_by: {id: asc}) { id comments_via_post(where: {author: {name: {_neq: \"x\"}}}, limit: 5) { id } } }",
            true, []
        ),
    ]

    @Test func databaseAndPresenterAnswerAlike() async throws {
        let testApp = try await SwiftbaseTestApp.make()
        let http = testApp.app.http
        try await testApp.test { client in
            let token = try await client.superuserToken()
            let keys = try await Self.seed(client, token: token)
            let cache = GraphQLSchemaCache(registry: http.schema, logger: Logger(label: "parity"))
            let database = GraphQLExecutor(cache: cache, limits: GraphQLLimits())
            var presenter = database
            presenter.listsInSQL = false
            var identities: [(String, AuthContext)] = [("guest", .guest)]
            for (name, credential) in [
                ("author", keys.author), ("other user", keys.other), ("superuser", token), ("API key", keys.apiKey),
            ] {
                let auth = try await http.identities.resolve(credential: credential, clientIP: "127.0.0.1")
                #expect(auth.isAuthenticated, "\(name) resolves")
                identities.append((name, auth))
            }
            let mapping = GraphQLErrorMapping(audit: nil, auditActor: "", remoteIP: "", logger: Logger(label: "parity"))
            for (who, auth) in identities {
                let context = GraphQLRequestContext(
                    records: http.records, presenter: http.presenter, request: RequestInfo(auth: auth, method: "POST"),
                    maxPageSize: 1000, logger: Logger(label: "parity"))
                for (query, expected, fallsBack) in Self.queries {
                    var request = GraphQLOperationRequest(query: query)
                    request.variables["skip"] = .bool(true)
                    let a = await database.run(
                        request, context: context, errors: mapping, allowMutations: false, writesJSON: true)
                    let b = await presenter.run(
                        request, context: context, errors: mapping, allowMutations: false, writesJSON: true)
                    #expect(b.prewritten.isEmpty)
                    let fast = String(decoding: try a.json(), as: UTF8.self)
                    let slow = String(decoding: try b.json(), as: UTF8.self)
                    if a.result.errors.isEmpty {
                        #expect(fast == slow, "\(query) as \(who)")
                    } else {
                        // The order of keys inside an error's `extensions` is not defined.
                        #expect(try JSONValue.parse(fast) == JSONValue.parse(slow), "\(query) as \(who)")
                    }
                    if let expected {
                        let served = expected && !fallsBack.contains(who)
                        #expect(!a.prewritten.isEmpty == served, "database path \(served): \(query) as \(who)")
                    }
                }
            }
        }
    }

    /// A back-relation level over the expander's cap of 1000 records is answered by the expander (which keeps
    /// the first 1000), not by the database (which would answer them all).
    @Test func overTheBackRelationCapFallsBack() async throws {
        let testApp = try await SwiftbaseTestApp.make()
        let http = testApp.app.http
        try await testApp.test { client in
            let token = try await client.superuserToken()
            _ = try await Self.seed(client, token: token)
            let settings = try await client.request(
                .patch, "/api/settings", token: token, json: ["batch": ["enabled": true, "maxRequests": 400]])
            #expect(settings.status == 200, "\(settings.json)")
            for part in 0..<3 {
                let requests: [JSONValue] = (0..<334).map { i in
                    [
                        "method": "POST", "url": "/api/collections/comments/records",
                        "body": ["body": .string("bulk \(part)-\(i)"), "post": "p00000000000001"],
                    ]
                }
                let batch = try await client.request(
                    .post, "/api/batch", token: token, json: ["requests": .array(requests)])
                #expect(batch.status == 200, "\(batch.json)")
            }
            let superuser = try await http.identities.resolve(credential: token, clientIP: "127.0.0.1")
            let context = GraphQLRequestContext(
                records: http.records, presenter: http.presenter, request: RequestInfo(auth: superuser, method: "POST"),
                maxPageSize: 1000, logger: Logger(label: "parity"))
            let executor = GraphQLExecutor(
                cache: GraphQLSchemaCache(registry: http.schema, logger: Logger(label: "parity")), limits: GraphQLLimits())
            var presenter = executor
            presenter.listsInSQL = false
            let mapping = GraphQLErrorMapping(audit: nil, auditActor: "", remoteIP: "", logger: Logger(label: "parity"))
            let request = GraphQLOperationRequest(query: "{ posts(order_by: {id: asc}) { id comments_via_post { id } } }")
            let a = await executor.run(request, context: context, errors: mapping, allowMutations: false, writesJSON: true)
            let b = await presenter.run(request, context: context, errors: mapping, allowMutations: false, writesJSON: true)
            #expect(a.prewritten.isEmpty)
            #expect(try a.json() == b.json())
            let answer = try JSONValue.parse(Data(try a.json()))
            let counts = answer["data"]?["posts"]?.arrayValue?.map { $0["comments_via_post"]?.arrayValue?.count ?? 0 }
            #expect(counts?.reduce(0, +) == 1000)
        }
    }

    struct Credentials {
        var author: String
        var other: String
        var apiKey: String
    }

    /// users (one showing its email) ← posts (author, reviewer; editors) ← comments (some hidden but to their
    /// author), reviews (a rule through a relation), notes (superusers only).
    static func seed(_ client: SwiftbaseTestClient, token: String) async throws -> Credentials {
        func send(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue) async throws -> JSONValue {
            let reply = try await client.request(method, path, token: token, json: body)
            #expect(reply.status == 200, "\(path) \(reply.json)")
            return reply.json
        }
        let users = try await send(.patch, "/api/collections/users", ["listRule": "", "viewRule": ""])
        let password = "parity-pass-1"
        for (i, name) in ["Ann <a&b>", "Bob \u{2028} é", "Cy"].enumerated() {
            _ = try await send(
                .post, "/api/collections/users/records",
                [
                    "id": .string("u0000000000000\(i)"), "email": .string("u\(i)@example.com"), "name": .string(name),
                    "password": .string(password), "passwordConfirm": .string(password), "emailVisibility": .bool(i == 0),
                ])
        }
        let posts = try await send(
            .post, "/api/collections",
            [
                "name": "posts", "listRule": "live = true || author = @request.auth.id", "viewRule": "",
                "fields": [
                    ["name": "title", "type": "text"], ["name": "views", "type": "number", "onlyInt": true],
                    ["name": "score", "type": "number"], ["name": "live", "type": "bool"], ["name": "when", "type": "date"],
                    ["name": "status", "type": "select", "values": ["draft", "out"], "maxSelect": 1],
                    ["name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2],
                    ["name": "author", "type": "relation", "collectionId": users["id"] ?? "", "maxSelect": 1],
                    ["name": "reviewer", "type": "relation", "collectionId": users["id"] ?? "", "maxSelect": 1],
                    ["name": "editors", "type": "relation", "collectionId": users["id"] ?? "", "maxSelect": 3],
                ],
            ])
        _ = try await send(
            .post, "/api/collections",
            [
                "name": "comments", "listRule": "", "viewRule": "hidden = false || author = @request.auth.id",
                "fields": [
                    ["name": "body", "type": "text"], ["name": "hidden", "type": "bool"],
                    ["name": "post", "type": "relation", "collectionId": posts["id"] ?? "", "maxSelect": 1],
                    ["name": "author", "type": "relation", "collectionId": users["id"] ?? "", "maxSelect": 1],
                ],
                "indexes": ["CREATE INDEX idx_comments_post ON comments (post)"],
            ])
        _ = try await send(
            .post, "/api/collections",
            [
                "name": "reviews", "listRule": "", "viewRule": "post.live = true",
                "fields": [
                    ["name": "stars", "type": "number"],
                    ["name": "post", "type": "relation", "collectionId": posts["id"] ?? "", "maxSelect": 1],
                ],
            ])
        _ = try await send(
            .post, "/api/collections",
            [
                "name": "notes",
                "fields": [
                    ["name": "text", "type": "text"],
                    ["name": "post", "type": "relation", "collectionId": posts["id"] ?? "", "maxSelect": 1],
                ],
            ])
        var random = SeededRandom(seed: 29)
        for i in 0..<9 {
            let id = "p0000000000000\(i)"
            var body: [String: JSONValue] = [
                "id": .string(id), "title": .string(["one", "two <b>&\"x\"\n</b>", "three", "four"][i % 4] + " \(i)"),
                "views": .number(Double(random.int(0..<9))), "live": .bool(random.chance(60)),
                "score": .number(i % 3 == 0 ? Double(i) / 4 : Double(i * 100)),
                "status": .string(random.chance(50) ? "out" : ""), "tags": .array(random.chance(50) ? ["a"] : []),
                "author": .string("u0000000000000\(i % 3)"), "editors": .array(["u00000000000001", "u00000000000002"]),
            ]
            if random.chance(60) { body["reviewer"] = .string("u0000000000000\((i + 1) % 3)") }
            if random.chance(50) { body["when"] = .string("2026-01-0\(i + 1) 10:00:00.000Z") }
            _ = try await send(.post, "/api/collections/posts/records", .object(body))
            for c in 0..<(i % 4) {
                _ = try await send(
                    .post, "/api/collections/comments/records",
                    [
                        "body": .string("c\(i)-\(c) \u{1f}ctl"), "post": .string(id), "hidden": .bool(c == 1),
                        "author": .string("u0000000000000\((i + c) % 3)"),
                    ])
            }
            _ = try await send(.post, "/api/collections/reviews/records", ["stars": .number(Double(i)), "post": .string(id)])
            if i % 2 == 0 {
                _ = try await send(.post, "/api/collections/notes/records", ["text": .string("note \(i)"), "post": .string(id)])
            }
        }
        let key = try await send(
            .post, "/api/keys",
            [
                "name": "parity",
                "scopes": [
                    ["collection": "posts", "actions": ["list", "view"]], ["collection": "comments", "actions": ["list", "view"]],
                ],
            ])
        return Credentials(
            author: try await client.authToken(collection: "users", identity: "u0@example.com", password: password),
            other: try await client.authToken(collection: "users", identity: "u1@example.com", password: password),
            apiKey: key["key"]?.stringValue ?? "")
    }
}
