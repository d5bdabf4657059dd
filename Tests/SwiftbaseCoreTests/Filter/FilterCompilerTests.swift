import Foundation
import SwiftbaseCore
import Testing

/// SQL text and bound arguments of operators, literals, macros and functions on plain fields, asserted the
/// way PocketBase's filter_test.go does: any injected value would show up as a diff in the SQL text.
@Suite struct FilterCompilerTests {
    typealias Case = (filter: String, sql: String, arguments: [SQLValue])

    static let cases: [Case] = [
        (#"title = "x' OR 1=1 --""#, #""posts"."title" = ?"#, [.text(#"x' OR 1=1 --"#)]),
        (
            #"title = 'a" OR "1"="1' && n > 0"#, #"("posts"."title" = ? AND "posts"."n" > ?)"#,
            [.text(#"a" OR "1"="1"#), .real(0.0)]
        ),
        (
            #"title = null && null != '' && '' = null"#,
            #"(("posts"."title" = '' OR "posts"."title" IS NULL) AND '' IS NOT '' AND '' = '')"#, []
        ),
        (
            #"title = '' || title != '' || '' = title || '' != title || null = null"#,
            #"(("posts"."title" = '' OR "posts"."title" IS NULL) OR ("posts"."title" IS NOT '' AND "posts"."title" IS NOT NULL) OR ('' = "posts"."title" OR "posts"."title" IS NULL) OR ('' IS NOT "posts"."title" AND "posts"."title" IS NOT NULL) OR '' = '')"#,
            []
        ),
        (
            #"title = true && flag != false && title = title && title != n"#,
            #"("posts"."title" = 1 AND "posts"."flag" IS NOT 0 AND COALESCE("posts"."title", '') = COALESCE("posts"."title", '') AND COALESCE("posts"."title", '') IS NOT COALESCE("posts"."n", ''))"#,
            []
        ),
        (
            #"title ~ 'abc' && title !~ 'abc'"#,
            #"("posts"."title" LIKE ? ESCAPE '\' AND "posts"."title" NOT LIKE ? ESCAPE '\')"#,
            [.text(#"%abc%"#), .text(#"%abc%"#)]
        ),
        (
            #"title ~ 'a%' && title ~ 'x_y' && title ~ 'a\%b' && title ~ 'a__b'"#,
            #"("posts"."title" LIKE ? ESCAPE '\' AND "posts"."title" LIKE ? ESCAPE '\' AND "posts"."title" LIKE ? ESCAPE '\' AND "posts"."title" LIKE ? ESCAPE '\')"#,
            [.text(#"a%"#), .text(#"%x\_y%"#), .text(#"%a\%b%"#), .text(#"%a_\_b%"#)]
        ),
        (
            #"title ~ n && 'lit' ~ title && 'lit' !~ title && title ~ 5"#,
            #"("posts"."title" LIKE ('%' || "posts"."n" || '%') ESCAPE '\' AND ? LIKE ('%' || "posts"."title" || '%') ESCAPE '\' AND ? NOT LIKE ('%' || "posts"."title" || '%') ESCAPE '\' AND "posts"."title" LIKE ? ESCAPE '\')"#,
            [.text(#"lit"#), .text(#"lit"#), .text(#"%5%"#)]
        ),
        (
            #"n > 1 && n >= 2 && n < 3 && n <= 4 && 2 < 5"#,
            #"("posts"."n" > ? AND "posts"."n" >= ? AND "posts"."n" < ? AND "posts"."n" <= ? AND ? < ?)"#,
            [.real(1.0), .real(2.0), .real(3.0), .real(4.0), .real(2.0), .real(5.0)]
        ),
        (
            #"title ?= 'a' || title ?!= 'b' || title ?~ 'c' || title ?!~ 'd' || n ?> 1 || n ?>= 1 || n ?< 1 || n ?<= 1"#,
            #"("posts"."title" = ? OR "posts"."title" IS NOT ? OR "posts"."title" LIKE ? ESCAPE '\' OR "posts"."title" NOT LIKE ? ESCAPE '\' OR "posts"."n" > ? OR "posts"."n" >= ? OR "posts"."n" < ? OR "posts"."n" <= ?)"#,
            [
                .text(#"a"#), .text(#"b"#), .text(#"%c%"#), .text(#"%d%"#), .real(1.0), .real(1.0), .real(1.0),
                .real(1.0),
            ]
        ),
        (
            #"(title = 'a' || title = 'b') && n > 1"#,
            #"(("posts"."title" = ? OR "posts"."title" = ?) AND "posts"."n" > ?)"#,
            [.text(#"a"#), .text(#"b"#), .real(1.0)]
        ),
        (
            #"created >= @todayStart && created <= @todayEnd && created < @now && created > @yesterday && created < @tomorrow"#,
            #"("posts"."created" >= ? AND "posts"."created" <= ? AND "posts"."created" < ? AND "posts"."created" > ? AND "posts"."created" < ?)"#,
            [
                .text(#"2024-01-02 00:00:00.000Z"#), .text(#"2024-01-02 23:59:59.999Z"#),
                .text(#"2024-01-02 03:04:05.500Z"#), .text(#"2024-01-01 03:04:05.500Z"#),
                .text(#"2024-01-03 03:04:05.500Z"#),
            ]
        ),
        (
            #"created >= @monthStart && created <= @monthEnd && created >= @yearStart && created <= @yearEnd"#,
            #"("posts"."created" >= ? AND "posts"."created" <= ? AND "posts"."created" >= ? AND "posts"."created" <= ?)"#,
            [
                .text(#"2024-01-01 00:00:00.000Z"#), .text(#"2024-01-31 23:59:59.999Z"#),
                .text(#"2024-01-01 00:00:00.000Z"#), .text(#"2024-12-31 23:59:59.999Z"#),
            ]
        ),
        (
            #"@second = 5 && @minute = 4 && @hour = 3 && @day = 2 && @month = 1 && @weekday = 2 && @year = 2024"#,
            #"(? = ? AND ? = ? AND ? = ? AND ? = ? AND ? = ? AND ? = ? AND ? = ?)"#,
            [
                .integer(5), .real(5.0), .integer(4), .real(4.0), .integer(3), .real(3.0), .integer(2), .real(2.0),
                .integer(1), .real(1.0), .integer(2), .real(2.0), .integer(2024), .real(2024.0),
            ]
        ),
        (
            #"geoDistance(n, n, 10, 20) < 5"#,
            #"(6371 * acos(cos(radians("posts"."n")) * cos(radians(?)) * cos(radians(?) - radians("posts"."n")) + sin(radians("posts"."n")) * sin(radians(?)))) < ?"#,
            [.real(20.0), .real(10.0), .real(20.0), .real(5.0)]
        ),
        (
            #"strftime('%Y') != '' && strftime('%Y', created) = '2024' && strftime('%m', created, 'start of month', '+1 day') ~ '01'"#,
            #"((strftime(?) IS NOT '' AND strftime(?) IS NOT NULL) AND strftime(?,"posts"."created") = ? AND strftime(?,"posts"."created",?,?) LIKE ? ESCAPE '\')"#,
            [
                .text(#"%Y"#), .text(#"%Y"#), .text(#"%Y"#), .text(#"2024"#), .text(#"%m"#), .text(#"start of month"#),
                .text(#"+1 day"#), .text(#"%01%"#),
            ]
        ),
        (
            #"data.a.0.b = 5 && data = null && data != 1 && data.x:lower = 'y'"#,
            #"((CASE WHEN json_valid("posts"."data") THEN JSON_EXTRACT("posts"."data", '$.a[0].b') ELSE JSON_EXTRACT(json_object('pb', "posts"."data"), '$.pb.a[0].b') END) IS ? AND (CASE WHEN json_valid("posts"."data") THEN JSON_EXTRACT("posts"."data", '$') ELSE JSON_EXTRACT(json_object('pb', "posts"."data"), '$.pb') END) IS NULL AND (CASE WHEN json_valid("posts"."data") THEN JSON_EXTRACT("posts"."data", '$') ELSE JSON_EXTRACT(json_object('pb', "posts"."data"), '$.pb') END) IS NOT ? AND LOWER((CASE WHEN json_valid("posts"."data") THEN JSON_EXTRACT("posts"."data", '$.x') ELSE JSON_EXTRACT(json_object('pb', "posts"."data"), '$.pb.x') END)) IS ?)"#,
            [.real(5.0), .real(1.0), .text(#"y"#)]
        ),
    ]

    @Test(arguments: cases)
    func compilesToExpectedSQL(filter: String, sql: String, arguments: [SQLValue]) throws {
        let compiled = try FilterFixture.compile(filter)
        #expect(compiled.sql == sql)
        #expect(compiled.arguments == arguments)
        #expect(compiled.placeholderCount == compiled.arguments.count)
    }

    static let injections: [(String, String)] = [
        (#"title = "x' OR 1=1 --""#, "x' OR 1=1 --"),
        (#"title = 'x"; DROP TABLE posts; --'"#, #"x"; DROP TABLE posts; --"#),
        (#"title ~ "%' OR '1'='1""#, "%' OR '1'='1"),
        (#"title = 'a\' OR 1=1 --'"#, #"a' OR 1=1 --"#),
        (#"title = "\u0000\x00""#, #"\u0000\x00"#),
    ]

    @Test(arguments: injections)
    func valuesAreAlwaysBound(filter: String, value: String) throws {
        let compiled = try FilterFixture.compile(filter)
        #expect(!compiled.sql.contains(value))
        #expect(!compiled.sql.contains("DROP"))
        #expect(compiled.arguments.count == 1)
        #expect(compiled.arguments.first?.textValue?.contains(value.replacingOccurrences(of: "%", with: "")) == true)
    }

    static let likeValues: [(String, String)] = [
        ("abc", "%abc%"), ("a%", "a%"), ("50\\%", "%50\\%%"), ("x_y", "%x\\_y%"), ("a\\b", "%a\\\\b%"),
        ("%", "%"), ("", "%%"), ("a__b", "%a_\\_b%"),
    ]

    @Test(arguments: likeValues)
    func wrapsLikeValuesAsPocketBaseDoes(value: String, pattern: String) throws {
        let compiled = try FilterFixture.compile("title ~ 'x'")
        #expect(compiled.arguments == [.text("%x%")])
        var resolver = FilterFixture.resolver()
        let expression = FilterExpression.comparison(FilterComparison(.identifier("title"), .like, .text(value)))
        #expect(try FilterCompiler.compile(expression, resolver: &resolver).arguments == [.text(pattern)])
    }

    @Test func specialLiteralsAreCaseInsensitive() throws {
        #expect(
            try FilterFixture.compile("title = NULL && flag = True && flag != FALSE").sql
                == #"(("posts"."title" = '' OR "posts"."title" IS NULL) AND "posts"."flag" = 1 AND "posts"."flag" IS NOT 0)"#
        )
    }

    static let errors: [String] = [
        "nope = 1", "Title = 1", "title.name = 1", "tags:bogus = 1", "data.a:each = 1", "a..b = 1", "#x = 1",
        "nope(1) = 1", "geoDistance(1, 2, 3) = 1", "geoDistance('a', 1, 2, 3) = 1", "geoDistance(f(1), 1, 2, 3) = 1",
        "strftime() = 1", "strftime(created) = 1", "strftime('%Y', created, 1) = 1", "strftime('%Y', f(1)) = 1",
        "strftime('1','2','3','4','5','6','7','8','9','10','11') = 1",
    ]

    @Test(arguments: errors)
    func rejectsUnresolvableFilters(filter: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try FilterFixture.compile(filter) }
    }
}
