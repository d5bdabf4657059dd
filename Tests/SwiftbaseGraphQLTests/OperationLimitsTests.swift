import GraphQL
import SwiftbaseCore
import Testing

@testable import SwiftbaseGraphQL

@Suite struct OperationLimitsTests {
    @Test func bracketsInStringsAndCommentsDoNotCount() {
        let deepText = String(repeating: "{", count: 100)
        #expect(OperationLimits.checkTextNesting("{ a(s: \"\(deepText)\") }", max: 8) == nil)
        #expect(OperationLimits.checkTextNesting("{ a # \(deepText)\n }", max: 8) == nil)
        #expect(OperationLimits.checkTextNesting("{ a(s: \"\\\"\(deepText)\") }", max: 8) == nil)
        #expect(OperationLimits.checkTextNesting(deepText, max: 8) != nil)
        #expect(OperationLimits.checkTextNesting(String(repeating: "[", count: 9), max: 8) != nil)
    }

    func errors(_ query: String, variables: [String: Map] = [:], limits: GraphQLLimits = GraphQLLimits()) throws
        -> [String]
    {
        OperationLimits.check(try parse(source: query), variables: variables, limits: limits).map(\.message)
    }

    @Test func depthCountsThroughFragmentsButNotIntrospection() throws {
        let limits = GraphQLLimits(maxDepth: 3)
        #expect(try errors("{ a { b { c } } }", limits: limits).isEmpty)
        #expect(
            try errors("{ a { b { c { d } } } }", limits: limits) == [
                "The query is nested 4 levels deep; at most 3 are allowed."
            ])
        #expect(try errors("query { a { ...F } } fragment F on T { b { c { d } } }", limits: limits).count == 1)
        #expect(try errors("{ __schema { types { fields { type { ofType { name } } } } } }", limits: limits).isEmpty)
        // A fragment cycle is invalid GraphQL (validation reports it); the walk still ends.
        #expect(try errors("{ a { ...F } } fragment F on T { b { ...F } }", limits: limits).isEmpty)
    }

    @Test func pageSizeIsCheckedForLiteralsAndVariables() throws {
        let limits = GraphQLLimits(maxPageSize: 10)
        #expect(try errors("{ posts(limit: 10) { id } }", limits: limits).isEmpty)
        #expect(try errors("{ posts(limit: 11) { id } }", limits: limits).count == 1)
        #expect(
            try errors("query($n: Int) { posts(limit: $n) { id } }", variables: ["n": .int(50)], limits: limits).count
                == 1)
    }
}

@Suite struct RecordNodeTests {
    let posts = GraphQLFixture.shape("posts")

    func value(_ field: String, in json: JSONValue) -> (any Sendable)? {
        guard let shape = posts.field(field) else { return nil }
        return RecordNode(json).value(of: shape)
    }

    @Test func fileURLsArePocketBaseDownloadPaths() {
        let json: JSONValue = ["id": "r1", "collectionId": "pbc_posts", "docs": ["a.txt", "b.png"]]
        let urls = value("docs_url", in: json) as? [(any Sendable)?]
        #expect(
            urls?.compactMap { ($0 as? Map)?.string } == [
                "/api/files/pbc_posts/r1/a.txt", "/api/files/pbc_posts/r1/b.png",
            ])
    }

    @Test func relationsComeFromExpandAndAreEmptyWhenNotLoaded() {
        let loaded: JSONValue = [
            "id": "r1", "expand": ["author": ["id": "u1"], "editors": [["id": "u1"], ["id": "u2"]]],
        ]
        #expect((value("author", in: loaded) as? RecordNode)?.json["id"] == "u1")
        #expect((value("editors", in: loaded) as? [(any Sendable)?])?.count == 2)
        let bare: JSONValue = ["id": "r1", "author": "u1"]
        #expect(value("author", in: bare) == nil)
        #expect((value("editors", in: bare) as? [(any Sendable)?])?.isEmpty == true)
    }

    @Test func anOmittedFieldIsNull() {
        // RecordPresenter leaves out what the requester may not see (an email without emailVisibility).
        #expect(value("title", in: ["id": "r1"]) == nil)
    }
}
