import SwiftbaseCore
import Testing

@Suite struct SortCompilerTests {
    static let request = RequestInfo(auth: AuthContext(.record(FilterFixture.alice)), query: ["q": "x"])

    static func compile(_ sort: String, hidden: Bool = true, references: Bool = true) throws -> [SQLFragment] {
        var resolver = FilterFixture.resolver(request: request, hidden: hidden, references: references)
        return try SortCompiler.compile(sort, resolver: &resolver)
    }

    @Test func compilesTermsForSuperusers() throws {
        let (sort, expected) = (
            #"-created,title,+author.name,@random,@rowid,tags:length,  n  "#,
            [
                #""posts"."created" DESC"#, #""posts"."title" ASC"#,
                #"(SELECT "posts_author"."name" FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" LIMIT 1) ASC"#,
                #"RANDOM()"#, #""posts"."_rowid_" ASC"#,
                #"json_array_length(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE (CASE WHEN "posts"."tags" = '' OR "posts"."tags" IS NULL THEN json_array() ELSE json_array("posts"."tags") END) END) ASC"#,
                #""posts"."n" ASC"#,
            ]
        )
        let terms = try Self.compile(sort)
        #expect(terms.map(\.sql) == expected)
        #expect(terms.allSatisfy { $0.arguments.isEmpty })
    }

    /// Related fields sort as scalar subqueries; a related row the client may not list sorts as NULL.
    @Test func appliesListRulesInsideSortSubqueries() throws {
        let (sort, expected) = (
            #"author.name,-editors.name"#,
            [
                #"(SELECT "posts_author"."name" FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE (("posts_author"."id" = '' OR "posts_author"."id" IS NULL) OR "posts_author"."id" = ?) LIMIT 1) ASC"#,
                #"(SELECT "posts_editors"."name" FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" WHERE (("posts_editors"."id" = '' OR "posts_editors"."id" IS NULL) OR "posts_editors"."id" = ?) LIMIT 1) DESC"#,
            ]
        )
        let terms = try Self.compile(sort, hidden: false, references: false)
        #expect(terms.map(\.sql) == expected)
        #expect(terms.map(\.arguments) == [[.text("u_alice")], [.text("u_alice")]])
    }

    @Test func emptySortMeansNoOrdering() throws {
        #expect(try Self.compile("").isEmpty)
    }

    static let invalid: [String] = [
        "nope", "a,", ",title", " ", "@request.query.q", "@request.auth.id", "null",
        "title,title,title,title,title,title,title,title,title",
        String(repeating: "a", count: 256), "author.nope", "'title'",
    ]

    @Test(arguments: invalid)
    func rejectsInvalidSorts(sort: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try Self.compile(sort) }
    }

    @Test func hiddenAndSuperuserOnlyFieldsAreRejectedForClients() throws {
        #expect(throws: SwiftbaseError.badRequest()) { try Self.compile("secret", hidden: false, references: false) }
        #expect(throws: SwiftbaseError.forbidden("Only superusers can filter by @request.")) {
            try Self.compile("@request.auth.name", hidden: false, references: false)
        }
        #expect(try Self.compile("title,title,title,title,title,title,title,title").count == 8)
    }

    /// Sorting by an auth email the requester may only match where it is visible would tell hidden emails
    /// apart by their order (issue 13): for clients a hidden email sorts as '', on the collection itself and
    /// through a relation; superusers sort by the emails themselves.
    @Test(arguments: ["author.email", "-author.email", "title,author.email"])
    func hiddenEmailsSortAsEmptyForClients(sort: String) throws {
        let terms = try Self.compile(sort, hidden: false, references: false)
        let emailTerm = try #require(terms.last)
        #expect(emailTerm.sql.contains(#"(CASE WHEN "posts_author"."emailVisibility" = TRUE THEN "posts_author"."email" ELSE '' END)"#))
        #expect(try Self.compile(sort).allSatisfy { !$0.sql.contains("emailVisibility") })
    }

    @Test func anAuthCollectionsOwnEmailsSortAsEmptyWhereHiddenForClients() throws {
        var resolver = FilterFixture.resolver(FilterFixture.users, request: Self.request, hidden: false, references: false)
        #expect(try SortCompiler.compile("-email", resolver: &resolver).map(\.sql) == [
            #"(CASE WHEN "users"."emailVisibility" = TRUE THEN "users"."email" ELSE '' END) DESC"#
        ])
        #expect(try SortCompiler.compile("-name", resolver: &resolver).count == 1)
    }
}
