import SwiftbaseCore
import Testing

/// Identifier resolution against the fixture schema: relation paths, back-relations, JSON paths,
/// `@collection.*`, `@request.*`, modifiers, and the non-superuser restrictions.
@Suite struct RecordFieldResolverTests {
    typealias Case = (filter: String, sql: String, arguments: [SQLValue])

    /// The request every case sees: Alice (u_alice) PATCHing a post.
    static let request = RequestInfo(
        auth: AuthContext(.record(FilterFixture.alice)),
        body: ["title": "T", "tags": ["a", "b"], "author": "u_bob", "editors": ["u1", "u2"], "n": "5"],
        query: ["q": "x"], headers: ["x_token": "tok"], method: "PATCH")

    static var guestRequest: RequestInfo {
        var request = request
        request.auth = .guest
        return request
    }

    static func check(_ filter: String, _ sql: String, _ arguments: [SQLValue], _ resolver: RecordFieldResolver) throws
    {
        let compiled = try FilterFixture.compile(filter, resolver)
        #expect(compiled.sql == sql)
        #expect(compiled.arguments == arguments)
        #expect(compiled.placeholderCount == compiled.arguments.count)
    }

    static let ruleCases: [Case] = [
        (
            #"author.name = 'bob'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE "posts_author"."name" = ?)"#,
            [.text(#"bob"#)]
        ),
        (
            #"author.id = 'u1' && author.id:lower = 'u1'"#,
            #"("posts"."author" = ? AND EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE LOWER("posts_author"."id") = ?))"#,
            [.text(#"u1"#), .text(#"u1"#)]
        ),
        (
            #"author.team.name = 'red'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" LEFT JOIN "teams" "posts_author_team" ON "posts_author_team"."id" = "posts_author"."team" WHERE "posts_author_team"."name" = ?)"#,
            [.text(#"red"#)]
        ),
        (
            #"editors.id ?= 'u1'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" WHERE "posts_editors"."id" = ?)"#,
            [.text(#"u1"#)]
        ),
        (
            #"editors.name ?= 'bob'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" WHERE "posts_editors"."name" = ?)"#,
            [.text(#"bob"#)]
        ),
        (
            #"editors.name = 'bob'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" WHERE ("posts_editors"."name" = ? AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_editors"."name" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("__mm_posts"."editors"), json_type("__mm_posts"."editors")='array', FALSE) THEN "__mm_posts"."editors" ELSE json_array("__mm_posts"."editors") END) "__mm_posts_editors_je" LEFT JOIN "users" "__mm_posts_editors" ON "__mm_posts_editors"."id" = "__mm_posts_editors_je"."value" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?))))"#,
            [.text(#"bob"#), .text(#"bob"#)]
        ),
        (
            #"editors.name = author.name"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE (COALESCE("posts_editors"."name", '') = COALESCE("posts_author"."name", '') AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_editors"."name" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("__mm_posts"."editors"), json_type("__mm_posts"."editors")='array', FALSE) THEN "__mm_posts"."editors" ELSE json_array("__mm_posts"."editors") END) "__mm_posts_editors_je" LEFT JOIN "users" "__mm_posts_editors" ON "__mm_posts_editors"."id" = "__mm_posts_editors_je"."value" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT (COALESCE("__sm"."multiMatchValue", '') = COALESCE("posts_author"."name", '')))))"#,
            []
        ),
        (
            #"editors:length > 1 && tags:length = 0"#,
            #"(json_array_length(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE (CASE WHEN "posts"."editors" = '' OR "posts"."editors" IS NULL THEN json_array() ELSE json_array("posts"."editors") END) END) > ? AND json_array_length(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE (CASE WHEN "posts"."tags" = '' OR "posts"."tags" IS NULL THEN json_array() ELSE json_array("posts"."tags") END) END) = ?)"#,
            [.real(1.0), .real(0.0)]
        ),
        (
            #"tags:each = 'a'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__je_posts_tags" WHERE ("__je_posts_tags"."value" = ? AND NOT EXISTS (SELECT 1 FROM (SELECT "__je___mm_posts_tags"."value" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("__mm_posts"."tags"), json_type("__mm_posts"."tags")='array', FALSE) THEN "__mm_posts"."tags" ELSE json_array("__mm_posts"."tags") END) "__je___mm_posts_tags" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?))))"#,
            [.text(#"a"#), .text(#"a"#)]
        ),
        (
            #"tags:each ?= 'a' && status:each = 'x' && title:each = 'x'"#,
            #"("posts"."title" = ? AND EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__je_posts_tags" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."status"), json_type("posts"."status")='array', FALSE) THEN "posts"."status" ELSE json_array("posts"."status") END) "__je_posts_status" WHERE "__je_posts_tags"."value" = ? AND "__je_posts_status"."value" = ?))"#,
            [.text(#"x"#), .text(#"a"#), .text(#"x"#)]
        ),
        (
            #"tags = '["a"]' && tags ~ 'a'"#, #"("posts"."tags" = ? AND "posts"."tags" LIKE ? ESCAPE '\')"#,
            [.text(#"["a"]"#), .text(#"%a%"#)]
        ),
        (
            #"comments_via_post.message ?~ 'hi'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "comments" "posts_comments_via_post" ON "posts_comments_via_post"."post" = "posts"."id" WHERE "posts_comments_via_post"."message" LIKE ? ESCAPE '\')"#,
            [.text(#"%hi%"#)]
        ),
        (
            #"comments_via_post.message ~ 'hi'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "comments" "posts_comments_via_post" ON "posts_comments_via_post"."post" = "posts"."id" WHERE ("posts_comments_via_post"."message" LIKE ? ESCAPE '\' AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_comments_via_post"."message" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN "comments" "__mm_posts_comments_via_post" ON "__mm_posts_comments_via_post"."post" = "__mm_posts"."id" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" LIKE ? ESCAPE '\'))))"#,
            [.text(#"%hi%"#), .text(#"%hi%"#)]
        ),
        (
            #"pins_via_post.id != ''"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "pins" "posts_pins_via_post" ON "posts_pins_via_post"."post" = "posts"."id" WHERE ("posts_pins_via_post"."id" IS NOT '' AND "posts_pins_via_post"."id" IS NOT NULL))"#,
            []
        ),
        (
            #"@collection.teams.name ?= 'red'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "teams" "__collection_teams" WHERE "__collection_teams"."name" = ?)"#,
            [.text(#"red"#)]
        ),
        (
            #"@collection.teams:t.name = 'red'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "teams" "__collection_alias_t" WHERE ("__collection_alias_t"."name" = ? AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm___collection_alias_t"."name" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN "teams" "__mm___collection_alias_t" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?))))"#,
            [.text(#"red"#), .text(#"red"#)]
        ),
        (
            #"parent.parent.parent.parent.parent.parent.title = 'x'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "posts" "posts_parent" ON "posts_parent"."id" = "posts"."parent" LEFT JOIN "posts" "posts_parent_parent" ON "posts_parent_parent"."id" = "posts_parent"."parent" LEFT JOIN "posts" "posts_parent_parent_parent" ON "posts_parent_parent_parent"."id" = "posts_parent_parent"."parent" LEFT JOIN "posts" "posts_parent_parent_parent_parent" ON "posts_parent_parent_parent_parent"."id" = "posts_parent_parent_parent"."parent" LEFT JOIN "posts" "posts_parent_parent_parent_parent_parent" ON "posts_parent_parent_parent_parent_parent"."id" = "posts_parent_parent_parent_parent"."parent" LEFT JOIN "posts" "posts_parent_parent_parent_parent_parent_parent" ON "posts_parent_parent_parent_parent_parent_parent"."id" = "posts_parent_parent_parent_parent_parent"."parent" WHERE "posts_parent_parent_parent_parent_parent_parent"."title" = ?)"#,
            [.text(#"x"#)]
        ),
        (
            #"author = @request.auth.id && @request.auth.verified = true && @request.auth.collectionName = 'users'"#,
            #"("posts"."author" = ? AND ? = 1 AND ? = ?)"#,
            [.text(#"u_alice"#), .integer(1), .text(#"users"#), .text(#"users"#)]
        ),
        (
            #"@request.auth.team.name = 'red' && @request.auth.nope.x = 1"#,
            #"('' = ? AND EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "__auth_users" ON "__auth_users"."id" = ? LEFT JOIN "teams" "__auth_users_team" ON "__auth_users_team"."id" = "__auth_users"."team" WHERE "__auth_users_team"."name" = ?))"#,
            [.real(1.0), .text(#"u_alice"#), .text(#"red"#)]
        ),
        (
            #"@request.method = 'PATCH' && @request.context = 'default' && @request.query.q = 'x' && @request.headers.x_token != '' && @request.query.missing = true"#,
            #"(? = ? AND ? = ? AND ? = ? AND ? IS NOT '' AND '' = 1)"#,
            [
                .text(#"PATCH"#), .text(#"PATCH"#), .text(#"default"#), .text(#"default"#), .text(#"x"#), .text(#"x"#),
                .text(#"tok"#),
            ]
        ),
        (
            #"@request.body.title:isset = true && @request.body.nope:isset = false && @request.body.n > 3"#,
            #"(TRUE = 1 AND FALSE = 0 AND ? > ?)"#, [.real(5.0), .real(3.0)]
        ),
        (#"@request.body.title:changed = true"#, #"((TRUE = 1 AND ? IS NOT "posts"."title")) IS 1"#, [.text(#"T"#)]),
        (
            #"@request.body.tags:each ?= 'a' && @request.body.tags:length < 3 && @request.body.title:lower = 't'"#,
            #"(? < ? AND LOWER(?) = ? AND EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) "__dataEach_je_tags" WHERE "__dataEach_je_tags"."value" = ?))"#,
            [.integer(2), .real(3.0), .text(#"T"#), .text(#"t"#), .text(#"["a","b"]"#), .text(#"a"#)]
        ),
        (
            #"@request.body.tags:each = 'a'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) "__dataEach_je_tags" WHERE ("__dataEach_je_tags"."value" = ? AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm___dataEach_je_tags"."value" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN json_each(?) "__mm___dataEach_je_tags" WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?))))"#,
            [.text(#"["a","b"]"#), .text(#"a"#), .text(#"["a","b"]"#), .text(#"a"#)]
        ),
        (
            #"@request.body.author.name = 'bob' && @request.body.editors.name = 'x'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "__data_users_author" ON "__data_users_author"."id" = ? LEFT JOIN "users" "__data_users_editors" ON "__data_users_editors"."id" IN (?, ?) WHERE "__data_users_author"."name" = ? AND ("__data_users_editors"."name" = ? AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm___data_users_editors"."name" AS "multiMatchValue" FROM "posts" "__mm_posts" LEFT JOIN "users" "__mm___data_users_editors" ON "__mm___data_users_editors"."id" IN (?, ?) WHERE "__mm_posts"."id" = "posts"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?))))"#,
            [
                .text(#"u_bob"#), .text(#"u1"#), .text(#"u2"#), .text(#"bob"#), .text(#"x"#), .text(#"u1"#),
                .text(#"u2"#), .text(#"x"#),
            ]
        ),
        (
            #"@request.body.title.x = 1 && @request.body.tags.0 = 'a'"#, #"('' = ? AND ? = ?)"#,
            [.real(1.0), .text(#"a"#), .text(#"a"#)]
        ),
    ]

    @Test(arguments: ruleCases)
    func resolvesForRules(filter: String, sql: String, arguments: [SQLValue]) throws {
        try Self.check(filter, sql, arguments, FilterFixture.resolver(request: Self.request))
    }

    static let guestCases: [Case] = [
        (
            #"author = @request.auth.id && @request.auth.team.name = 'x'"#,
            #"(("posts"."author" = '' OR "posts"."author" IS NULL) AND '' = ?)"#, [.text(#"x"#)]
        ),
        (#"@request.auth.id != ''"#, #"'' IS NOT ''"#, []),
    ]

    /// A guest's `@request.auth.*` is NULL: `author = @request.auth.id` matches unowned rows, as in PocketBase.
    @Test(arguments: guestCases)
    func resolvesGuestAuthAsNull(filter: String, sql: String, arguments: [SQLValue]) throws {
        try Self.check(filter, sql, arguments, FilterFixture.resolver(request: Self.guestRequest))
    }

    static let clientCases: [Case] = [
        (
            #"author.name = 'bob'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE (("posts_author"."id" = '' OR "posts_author"."id" IS NULL) OR "posts_author"."id" = ?) AND "posts_author"."name" = ?)"#,
            [.text(#"u_alice"#), .text(#"bob"#)]
        ),
        (
            #"author.email = 'x'"#,
            #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE (("posts_author"."id" = '' OR "posts_author"."id" IS NULL) OR "posts_author"."id" = ?) AND ("posts_author"."email" = ? AND "posts_author"."emailVisibility" = TRUE))"#,
            [.text(#"u_alice"#), .text(#"x"#)]
        ),
        (
            #"title = 'x' && editors.name ?= 'y'"#,
            #"("posts"."title" = ? AND EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" WHERE (("posts_editors"."id" = '' OR "posts_editors"."id" IS NULL) OR "posts_editors"."id" = ?) AND "posts_editors"."name" = ?))"#,
            [.text(#"x"#), .text(#"u_alice"#), .text(#"y"#)]
        ),
    ]

    /// Client filters: joined collections' list rules hold on the joined row; auth emails need emailVisibility.
    @Test(arguments: clientCases)
    func enforcesListRulesOfJoinedCollections(filter: String, sql: String, arguments: [SQLValue]) throws {
        try Self.check(
            filter, sql, arguments, FilterFixture.resolver(request: Self.request, hidden: false, references: false))
    }

    @Test func guardsAuthEmailsByVisibility() throws {
        let filter = #"email = 'x' && email:lower = 'x'"#
        let sql =
            #"(("users"."email" = ? AND "users"."emailVisibility" = TRUE) AND (LOWER("users"."email") = ? AND "users"."emailVisibility" = TRUE))"#
        let arguments: [SQLValue] = [.text(#"x"#), .text(#"x"#)]
        try Self.check(
            filter, sql, arguments, FilterFixture.resolver(FilterFixture.users, request: Self.request, hidden: false))
    }

    static let ruleErrors: [String] = [
        "author.nope = 1", "parent.parent.parent.parent.parent.parent.parent.title = 'x'", "@collection.nope.x = 1",
        "@collection.teams = 1", "comments_via_nope.x = 1", "teams_via_name.x = 1", "users_via_team.name = 1",
        "@request.body.title:each = 1", "@request.body.title:length = 1", "@request.query.q:each = 1",
        "@request.query.q:nope = 1", "@request = 1", "@request.auth = 1", "@request.nope.x = 1",
    ]

    @Test(arguments: ruleErrors)
    func rejectsInvalidPaths(filter: String) {
        #expect(throws: SwiftbaseError.badRequest()) {
            try FilterFixture.compile(filter, FilterFixture.resolver(request: Self.request))
        }
    }

    static let clientErrors: [(String, SwiftbaseError)] = [
        ("secret = 1", .badRequest()),
        ("lists_via_posts.id != ''", .badRequest()),
        ("@request.auth.id = 1", .forbidden("Only superusers can filter by @request.")),
        ("@collection.teams.name = 1", .forbidden("Only superusers can filter by @collection.")),
    ]

    @Test(arguments: clientErrors)
    func restrictsClientFilters(filter: String, error: SwiftbaseError) {
        #expect(throws: error) {
            try FilterFixture.compile(
                filter, FilterFixture.resolver(request: Self.request, hidden: false, references: false))
        }
    }

    @Test func hiddenAuthFieldsAreNotFilterableByClients() {
        #expect(throws: SwiftbaseError.badRequest()) {
            try FilterFixture.compile("password != ''", FilterFixture.resolver(FilterFixture.users, hidden: false))
        }
        #expect(throws: Never.self) {
            try FilterFixture.compile("password != ''", FilterFixture.resolver(FilterFixture.users, hidden: true))
        }
    }

    @Test func missingRequestMakesRequestReferencesNull() throws {
        #expect(
            try FilterFixture.compile("@request.auth.id = @request.body.x", FilterFixture.resolver(request: nil)).sql
                == "'' = ''")
    }

    @Test func ruleThenClientFilterWithOneResolver() throws {
        var resolver = FilterFixture.resolver(request: Self.request)
        let rule = try FilterCompiler.compile(
            #require(try FilterParser.parse("author = @request.auth.id", limits: .rule)), resolver: &resolver)
        resolver.allowHiddenFields = false
        resolver.allowRequestAndCollectionReferences = false
        let filter = try FilterCompiler.compile(
            #require(try FilterParser.parse("author.name = 'bob'")), resolver: &resolver)
        #expect(rule.sql == #""posts"."author" = ?"#)
        #expect(filter.sql.hasPrefix("EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN \"users\" \"posts_author\""))
        #expect(filter.arguments == [.text("u_alice"), .text("bob")])
        #expect(resolver.joins.isEmpty)
        #expect(!resolver.needsDistinct)
        #expect(throws: SwiftbaseError.forbidden("Only superusers can filter by @request.")) {
            try FilterCompiler.compile(#require(try FilterParser.parse("@request.method = 'GET'")), resolver: &resolver)
        }
    }

    static let superuserOnly: [([String], SwiftbaseError?)] = [
        (["title = 'x'", "-created"], nil),
        (["title = '@request.method'"], .forbidden("Only superusers can filter by @request.")),
        (["", "@collection.teams.name"], .forbidden("Only superusers can filter by @collection.")),
        (["@request.auth.id = '' && @collection.a.b = 1"], .forbidden("Only superusers can filter by @collection.")),
    ]

    @Test(arguments: superuserOnly)
    func preChecksRawClientText(texts: [String], error: SwiftbaseError?) {
        if let error {
            #expect(throws: error) { try RecordFieldResolver.checkSuperuserOnlyReferences(in: texts) }
        } else {
            #expect(throws: Never.self) { try RecordFieldResolver.checkSuperuserOnlyReferences(in: texts) }
        }
    }
}
