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

@Suite struct OperationBreadthAndCostTests {
    func errors(_ query: String, variables: [String: Map] = [:], limits: GraphQLLimits) throws -> [String] {
        OperationLimits.check(
            try parse(source: query), variables: variables, limits: limits, catalog: GraphQLFixture.catalog
        ).map(\.message)
    }

    func cost(_ query: String, variables: [String: Map] = [:]) throws -> Int {
        let document = try parse(source: query)
        let operation = try #require(document.definitions.first as? OperationDefinition)
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        return OperationCost(catalog: GraphQLFixture.catalog, fragments: fragments, variables: variables, maxPageSize: 1000)
            .records(operation)
    }

    @Test func breadthCountsFieldsOfOneSelectionSetWithFragments() throws {
        let limits = GraphQLLimits(maxBreadth: 3)
        #expect(try errors("{ posts { id title views } }", limits: limits).isEmpty)
        #expect(
            try errors("{ posts { id title views tags } }", limits: limits) == [
                "A selection set asks for 4 fields; at most 3 are allowed."
            ])
        #expect(try errors("{ posts { id ...F } } fragment F on posts { title views tags }", limits: limits).count == 1)
        #expect(try errors("{ posts { id __typename title views } }", limits: limits).isEmpty)
    }

    @Test func costMultipliesListsByTheirLimitsAndFanOut() throws {
        #expect(try cost("{ posts(limit: 50) { id author { name } } }") == 50 + 50)
        #expect(try cost("{ posts(limit: 50) { comments_via_post { id } } }") == 50 + 1000)  // one query, LIMIT 1000
        #expect(try cost("{ posts(limit: 1) { comments_via_post { id } } }") == 1 + 1000)
        #expect(try cost("{ posts(limit: 2) { editors { id } } }") == 2 + 2 * 5)  // a multi relation's maxSelect
        #expect(try cost("{ posts(limit: 2) { pins_via_post { id } } }") == 2 + 2)  // unique: one record
        #expect(try cost("{ posts { id } }") == 1000)  // no limit: the page size limit
        #expect(try cost("query($n: Int) { posts(limit: $n) { id } }", variables: ["n": .int(7)]) == 7)
        #expect(try cost(#"{ posts_by_pk(id: "x") { comments_via_post { post { id } } } }"#) == 1 + 1000 + 1000)
        #expect(try cost("{ posts_aggregate(limit: 3) { aggregate { count } nodes { author { id } } } }") == 1 + 3 + 3)
        #expect(try cost("{ posts_group_by(by: [status], limit: 4) { count } }") == 4)
        #expect(try cost(#"mutation { insert_posts_one(object: {title: "x"}) { author { id } } }"#) == 2)
        #expect(try cost("{ a: posts(limit: 1) { id } b: posts(limit: 2) { id } }") == 3)
    }

    @Test func anOperationOverItsCostIsRefused() throws {
        let limits = GraphQLLimits(maxCost: 4_000)
        #expect(try errors("{ posts { comments_via_post { post { id } } } }", limits: limits).isEmpty)
        #expect(try errors("{ posts { comments_via_post { post { comments_via_post { id } } } } }", limits: limits).isEmpty)
        #expect(
            try errors("{ posts { editors { id } comments_via_post { post { comments_via_post { id } } } } }", limits: limits)
                == [
                    "The query may answer up to 9000 records; at most 4000 are allowed. "
                        + "Lower its limits or select fewer relations."
                ])
    }
}

@Suite struct RecordNodeTests {
    let posts = GraphQLFixture.shape("posts")

    func value(_ field: String, in json: JSONValue) -> (any Sendable)? {
        guard let shape = posts.field(field) else { return nil }
        return RecordNode(json).value(of: shape, occurrence: nil)
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
