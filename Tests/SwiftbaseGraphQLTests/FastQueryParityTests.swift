import Foundation
import GraphQL
import HTTPTypes
import Logging
import SwiftbaseCore
import SwiftbaseTesting
import Testing

@testable import Swiftbase
@testable import SwiftbaseGraphQL

/// `FastQuery` answers exactly what the GraphQL package's executor answers: the same data, in the same key
/// order, and the same errors, for a corpus of record queries (aliases, fragments, directives, variables with
/// defaults and list coercion, every field type, relations both ways, nulls, refusals) and for two
/// identities. Each query is also checked to take the fast path, so the comparison is never vacuous.
@Suite(.timeLimit(.minutes(2))) struct FastQueryParityTests {
    static let queries: [(String, JSONValue)] = [
        ("{ posts(order_by: {views: desc}) { id title views score live tags meta when loc { lon lat } author { name } } }", [:]),
        ("{ posts(where: {tags: {_contains: [\"a\"]}}, order_by: [{title: asc}]) { title tags editors { name } } }", [:]),
        ("{ a: posts(limit: 2, offset: 1, order_by: {views: asc}) { t: title } b: posts_by_pk(id: \"p00000000000001\") { title __typename } __typename }", [:]),
        ("query($id: String!) { posts_by_pk(id: $id) { title author { name posts_via_author { title } } } }", ["id": "p00000000000003"]),
        ("query($id: String!) { posts_by_pk(id: $id) { title } }", ["id": "nope"]),
        ("query($n: Int = 3, $o: [posts_order_by!]) { posts(limit: $n, order_by: $o) { title } }", ["o": ["views": "desc"]]),
        ("query($skip: Boolean!) { posts(order_by: {title: asc}) { title views @skip(if: $skip) ... on posts { live } ...F } } fragment F on posts { score title }", ["skip": true]),
        ("query($with: Boolean = false) { posts(limit: 3, order_by: {id: asc}) { id author @include(if: $with) { name } } }", [:]),
        ("{ posts(filter: \"views > 2 && title ~ 'o'\", order_by: {id: desc}) { title comments_via_post { body post { title } } } }", [:]),
        ("{ posts(where: {author: {name: {_eq: \"Ann\"}}, _or: [{live: {_eq: true}}, {views: {_gt: 5}}]}) { title } }", [:]),
        ("{ posts(filter: \"nonsense ~~ \") { title } }", [:]),
        ("{ secrets { note } }", [:]),
        ("{ secrets_by_pk(id: \"x\") { note } posts(limit: 1, order_by: {id: asc}) { title } }", [:]),
        ("{ people(order_by: {name: asc}) { name posts_via_author { title } } }", [:]),
        ("{ posts(order_by: {id: asc}) { title pins_via_post { label } } }", [:]),
    ]

    @Test func fastAndPackageExecutorsAnswerAlike() async throws {
        let testApp = try await SwiftbaseTestApp.make()
        let http = testApp.app.http
        try await testApp.test { client in
            let token = try await client.superuserToken()
            try await Self.seed(client, token: token)
            let cache = GraphQLSchemaCache(registry: http.schema, logger: Logger(label: "parity"))
            let fast = GraphQLExecutor(cache: cache, limits: GraphQLLimits())
            var slow = fast
            slow.fastPath = false
            let superuser = try await http.identities.resolve(credential: token, clientIP: "127.0.0.1")
            for auth in [AuthContext.guest, superuser] {
                let context = GraphQLRequestContext(
                    records: http.records, presenter: http.presenter, request: RequestInfo(auth: auth, method: "POST"),
                    maxPageSize: 1000, logger: Logger(label: "parity"))
                let mapping = GraphQLErrorMapping(audit: nil, auditActor: "", remoteIP: "", logger: Logger(label: "parity"))
                for (query, variables) in Self.queries {
                    var request = GraphQLOperationRequest(query: query)
                    for (key, value) in variables.objectValue ?? [:] { request.variables[key] = Map(value) }
                    let prepared = fast.prepare(request)
                    guard case .success(let (bundle, document)) = prepared else {
                        Issue.record("not valid: \(query) \(prepared)")
                        continue
                    }
                    #expect(
                        FastQuery.plan(
                            bundle: bundle, document: document, operationName: nil, variables: request.variables)
                            != nil, "takes the fast path: \(query)")
                    let a = await fast.run(request, context: context, errors: mapping, allowMutations: false)
                    let b = await slow.run(request, context: context, errors: mapping, allowMutations: false)
                    let who = auth.isSuperuser ? "superuser" : "guest"
                    #expect(Self.text(a.result.data) == Self.text(b.result.data), "\(query) as \(who)")
                    #expect(Self.errors(a.result) == Self.errors(b.result), "\(query) as \(who)")
                    #expect(a.result.data != nil || !a.result.errors.isEmpty)
                    // The answer's own writer says what the package's encoder says.
                    let written = try JSONValue.parse(Data(try GraphQLResultWriter.json(a.result)))
                    #expect(written == (try JSONValue.parse(try GraphQLJSONEncoder().encode(a.result))), "\(query)")
                }
            }
        }
    }

    @Test func otherOperationsAreLeftToThePackage() async throws {
        let testApp = try await SwiftbaseTestApp.make()
        let http = testApp.app.http
        try await testApp.test { client in
            let token = try await client.superuserToken()
            try await Self.seed(client, token: token)
            let executor = GraphQLExecutor(
                cache: GraphQLSchemaCache(registry: http.schema, logger: Logger(label: "parity")), limits: GraphQLLimits())
            for query in [
                "{ __schema { queryType { name } } }", "{ posts_aggregate { aggregate { count } } }",
                "mutation { delete_posts_by_pk(id: \"x\") { id } }", "{ posts { title @deprecated } }",
                "query($id: String!) { posts_by_pk(id: $id) { title } }",
            ] {
                let request = GraphQLOperationRequest(query: query)
                guard case .success(let (bundle, document)) = executor.prepare(request) else { continue }
                #expect(
                    FastQuery.plan(bundle: bundle, document: document, operationName: nil, variables: [:]) == nil, "\(query)")
            }
        }
    }

    /// The data as JSON text: key order matters (it is the selection's order).
    static func text(_ data: Map?) -> String {
        guard let data, let encoded = try? GraphQLJSONEncoder().encode(data) else { return "none" }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The errors as JSON values (the order of keys inside `extensions` is not defined), sorted.
    static func errors(_ result: GraphQLResult) -> [JSONValue] {
        result.errors.compactMap { error in
            (try? GraphQLJSONEncoder().encode(error)).flatMap { try? JSONValue.parse($0) }
        }.sorted { $0.jsonString < $1.jsonString }
    }

    /// people ← posts (every value type, some left empty) ← comments, pins (unique per post); secrets for
    /// superusers only.
    static func seed(_ client: SwiftbaseTestClient, token: String) async throws {
        func create(_ body: JSONValue) async throws -> JSONValue {
            let reply = try await client.request(.post, "/api/collections", token: token, json: body)
            #expect(reply.status == 200, "\(reply.json)")
            return reply.json
        }
        func record(_ collection: String, _ body: JSONValue) async throws {
            let reply = try await client.request(.post, "/api/collections/\(collection)/records", token: token, json: body)
            #expect(reply.status == 200, "\(reply.json)")
        }
        let people = try await create([
            "name": "people", "listRule": "", "viewRule": "", "fields": [["name": "name", "type": "text"]],
        ])
        let posts = try await create([
            "name": "posts", "listRule": "live = true || views > 4", "viewRule": "live = true",
            "fields": [
                ["name": "title", "type": "text"], ["name": "views", "type": "number", "onlyInt": true],
                ["name": "score", "type": "number"], ["name": "live", "type": "bool"],
                ["name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3],
                ["name": "meta", "type": "json"], ["name": "when", "type": "date"], ["name": "loc", "type": "geoPoint"],
                ["name": "author", "type": "relation", "collectionId": people["id"] ?? "", "maxSelect": 1],
                ["name": "editors", "type": "relation", "collectionId": people["id"] ?? "", "maxSelect": 3],
            ],
        ])
        _ = try await create([
            "name": "comments", "listRule": "", "viewRule": "",
            "fields": [
                ["name": "body", "type": "text"],
                ["name": "post", "type": "relation", "collectionId": posts["id"] ?? "", "maxSelect": 1],
            ],
        ])
        _ = try await create([
            "name": "pins", "listRule": "", "viewRule": "",
            "fields": [
                ["name": "label", "type": "text"],
                ["name": "post", "type": "relation", "collectionId": posts["id"] ?? "", "maxSelect": 1],
            ],
            "indexes": ["CREATE UNIQUE INDEX idx_pins_post ON pins (post)"],
        ])
        _ = try await create(["name": "secrets", "fields": [["name": "note", "type": "text"]]])
        for (i, name) in ["Ann", "Bob"].enumerated() {
            try await record("people", ["id": .string("u0000000000000\(i)"), "name": .string(name)])
        }
        var random = SeededRandom(seed: 17)
        for i in 0..<8 {
            let id = "p0000000000000\(i)"
            var body: [String: JSONValue] = [
                "id": .string(id), "title": .string(["one", "two", "three", "four"][i % 4] + " \(i)"),
                "views": .number(Double(random.int(0..<9))), "live": .bool(random.chance(60)),
                "tags": .array(["a", "b", "c"].filter { _ in random.chance(50) }.map { .string($0) }),
                "author": .string("u0000000000000\(i % 2)"),
                "editors": .array(i % 3 == 0 ? [] : ["u00000000000000", "u00000000000001"]),
            ]
            if random.chance(70) { body["score"] = .number(Double(random.int(-50..<50)) / 4) }
            if random.chance(50) { body["meta"] = ["k": .number(Double(i)), "list": [1, "x", .null]] }
            if random.chance(50) { body["when"] = .string("2026-01-0\(i + 1) 10:00:00.000Z") }
            if random.chance(50) { body["loc"] = ["lon": .number(Double(i) + 0.5), "lat": -12.25] }
            try await record("posts", .object(body))
            for c in 0..<(i % 3) { try await record("comments", ["body": .string("c\(i)-\(c)"), "post": .string(id)]) }
            if i % 2 == 0 { try await record("pins", ["label": .string("pin \(i)"), "post": .string(id)]) }
        }
        try await record("secrets", ["note": "hush"])
    }
}
