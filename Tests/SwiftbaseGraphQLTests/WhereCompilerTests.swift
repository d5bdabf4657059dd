import GraphQL
import OrderedCollections
import SwiftbaseCore
import Testing

@testable import SwiftbaseGraphQL

/// `where` becomes a filter tree; its canonical text (`FilterExpression.description`) shows the operators and
/// operands the record service will compile, with every value an operand of the tree.
@Suite struct WhereCompilerTests {
    let compiler = WhereCompiler(catalog: GraphQLFixture.catalog)
    let posts = GraphQLFixture.shape("posts")

    func text(_ where: Map) throws -> String {
        switch try compiler.compile(`where`, on: posts) {
        case .always: "<always>"
        case .never: "<never>"
        case .expression(let expression): expression.description
        }
    }

    @Test(arguments: [
        (#"{"title": {"_eq": "a"}}"#, #"title = "a""#),
        (#"{"title": {"_neq": "a"}}"#, #"title != "a""#),
        (#"{"views": {"_gt": 3, "_lte": 10}}"#, "views > 3 && views <= 10"),
        (#"{"score": {"_gte": 2.5, "_lt": 1e20}}"#, "score >= 2.5 && score < 1e+20"),
        (#"{"live": {"_eq": true}}"#, "live = true"),
        (#"{"title": {"_like": "%swift%"}}"#, #"title ~ "%swift%""#),
        (#"{"title": {"_nilike": "x"}}"#, #"title !~ "x""#),
        (#"{"title": {"_in": ["a", "b"]}}"#, #"title = "a" || title = "b""#),
        (#"{"title": {"_nin": ["a", "b"]}}"#, #"title != "a" && title != "b""#),
        (#"{"title": {"_is_null": true}}"#, "title = null"),
        (#"{"when": {"_is_null": false}}"#, "when != null"),
        (#"{"tags": {"_contains": ["a", "b"]}}"#, #"tags:each ?= "a" && tags:each ?= "b""#),
        (#"{"tags": {"_is_null": true}}"#, "tags:length = 0"),
        (#"{"author": {"name": {"_eq": "Ann"}}}"#, #"author.name = "Ann""#),
        (#"{"editors": {"name": {"_eq": "Ann"}}}"#, #"editors.name ?= "Ann""#),
        (#"{"comments_via_post": {"message": {"_ilike": "%hi%"}}}"#, #"comments_via_post.message ?~ "%hi%""#),
        (
            #"{"_or": [{"title": {"_eq": "a"}}, {"views": {"_eq": 1}}], "live": {"_eq": false}}"#,
            #"(title = "a" || views = 1) && live = false"#
        ),
    ])
    func operatorsCompileToTheFilterLanguage(json: String, expected: String) throws {
        #expect(try text(Map(try JSONValue.parse(json))) == expected)
    }

    @Test(arguments: [
        // ¬(a ∧ b) = ¬a ∨ ¬b, each operator replaced by its complement.
        (#"{"_not": {"title": {"_eq": "a"}, "views": {"_gt": 3}}}"#, #"title != "a" || views <= 3"#),
        (
            #"{"_not": {"_or": [{"title": {"_like": "a"}}, {"views": {"_in": [1, 2]}}]}}"#,
            #"title !~ "a" && views != 1 && views != 2"#
        ),
        // "Some editor is Ann" negated is "every editor is not Ann": the plain operator on a multi path.
        (#"{"_not": {"editors": {"name": {"_eq": "Ann"}}}}"#, #"editors.name != "Ann""#),
        (#"{"_not": {"tags": {"_is_null": true}}}"#, "tags:length > 0"),
        (#"{"_not": {"tags": {"_contains": ["a"]}}}"#, #"tags:each != "a""#),
        (#"{"_not": {"_not": {"title": {"_eq": "a"}}}}"#, #"title = "a""#),
    ])
    func notIsPushedDownToTheComparisons(json: String, expected: String) throws {
        #expect(try text(Map(try JSONValue.parse(json))) == expected)
    }

    @Test(arguments: [
        (#"{}"#, "<always>"),
        (#"{"title": {"_in": []}}"#, "<never>"),
        (#"{"title": {"_nin": []}}"#, "<always>"),
        (#"{"_or": []}"#, "<never>"),
        (#"{"_not": {"_and": []}}"#, "<never>"),
        (#"{"title": {"_eq": null}}"#, "<always>"),
    ])
    func emptyAndNullConditionsAreConstants(json: String, expected: String) throws {
        #expect(try text(Map(try JSONValue.parse(json))) == expected)
    }

    @Test func absentInputFieldsAreNoCondition() throws {
        // GraphQL's input coercion leaves fields the client did not send as `undefined`.
        let map = Map.dictionary(["_and": .undefined, "_or": .null, "_not": .undefined, "title": .undefined])
        #expect(try compiler.compile(map, on: posts) == .always)
    }

    @Test func valuesStayOperandsWhateverTheyHold() throws {
        let hostile = #"x" || id != "" || title = "y\"#
        let condition = try compiler.compile(.dictionary(["title": .dictionary(["_eq": .string(hostile)])]), on: posts)
        #expect(condition == .expression(.comparison(FilterComparison(.identifier("title"), .equal, .text(hostile)))))
    }

    @Test func neverIsAFalseComparison() {
        #expect(WhereCondition.never.filter?.description == "1 = 0")
        #expect(WhereCondition.always.filter == nil)
    }

    @Test func tooManyComparisonsAreRefused() throws {
        var small = compiler
        small.limits.maxComparisons = 3
        let values = Map.array((0..<4).map { Map.string("v\($0)") })
        #expect(throws: SwiftbaseError.self) {
            try small.compile(.dictionary(["title": .dictionary(["_in": values])]), on: posts)
        }
    }

    @Test func tooManyRelationHopsAreRefused() throws {
        var nested: Map = .dictionary(["title": .dictionary(["_eq": .string("x")])])
        for _ in 0..<4 { nested = .dictionary(["comments_via_post": .dictionary(["post": nested])]) }
        #expect(throws: SwiftbaseError.self) { try compiler.compile(nested, on: posts) }
    }

    @Test func orderByBecomesSortText() throws {
        let orderBy = OrderByCompiler(catalog: GraphQLFixture.catalog)
        let map = Map(try JSONValue.parse(#"[{"views": "desc"}, {"author": {"name": "asc"}}, {"id": "asc"}]"#))
        #expect(try orderBy.compile(map, on: posts) == "-views,author.name,id")
    }
}
