import SwiftbaseCore
import Testing

private func cmp(_ left: FilterOperand, _ op: FilterOperator, _ right: FilterOperand) -> FilterExpression {
    .comparison(FilterComparison(left, op, right))
}

private func id(_ name: String) -> FilterOperand { .identifier(name) }

@Suite struct FilterParserTests {
    static let valid: [(String, FilterExpression)] = [
        ("a = 1", cmp(id("a"), .equal, .number("1"))),
        ("a=1", cmp(id("a"), .equal, .number("1"))),
        ("a != -1", cmp(id("a"), .notEqual, .number("-1"))),
        ("a>=-2.5", cmp(id("a"), .greaterOrEqual, .number("-2.5"))),
        ("a < -.5", cmp(id("a"), .less, .number("-.5"))),
        ("'x' = a", cmp(.text("x"), .equal, id("a"))),
        (#"a = "it's""#, cmp(id("a"), .equal, .text("it's"))),
        (#"a = 'say \'hi\''"#, cmp(id("a"), .equal, .text("say 'hi'"))),
        (#"a = "say \"hi\"""#, cmp(id("a"), .equal, .text(#"say "hi""#))),
        // PocketBase 0.40's escapes (fexpr 0.6): `\\`, `\n`, `\t`, `\r` and either quote, pairwise from the left;
        // any other escape kept as written.
        (#"a = 'back\slash \"kept\"'"#, cmp(id("a"), .equal, .text(#"back\slash "kept""#))),
        (#"a = "\\\"x""#, cmp(id("a"), .equal, .text(#"\"x"#))),
        (#"a = 'ends in \\'"#, cmp(id("a"), .equal, .text(#"ends in \"#))),
        (#"a = "l1\nl2\tt\rr""#, cmp(id("a"), .equal, .text("l1\nl2\tt\rr"))),
        (#"a = 'p\"s' || a = "p\'s""#, .or([cmp(id("a"), .equal, .text(#"p"s"#)), cmp(id("a"), .equal, .text("p's"))])),
        (#"a = '\\n \\\\ \\\n'"#, cmp(id("a"), .equal, .text("\\n \\\\ \\\n"))),
        (#"a = '\x41 \u0041 \0 \% \_ \q \é'"#, cmp(id("a"), .equal, .text(#"\x41 \u0041 \0 \% \_ \q \é"#))),
        ("a = ''", cmp(id("a"), .equal, .text(""))),
        ("a = 'héllo ✓'", cmp(id("a"), .equal, .text("héllo ✓"))),
        ("@request.auth.id != ''", cmp(id("@request.auth.id"), .notEqual, .text(""))),
        ("#hash = _x", cmp(id("#hash"), .equal, id("_x"))),
        ("a.b:each ?= c", cmp(id("a.b:each"), .anyEqual, id("c"))),
        ("a ?!= 1", cmp(id("a"), .anyNotEqual, .number("1"))),
        ("a ~ 'x'", cmp(id("a"), .like, .text("x"))),
        ("a !~ 'x'", cmp(id("a"), .notLike, .text("x"))),
        ("a ?~ 'x'", cmp(id("a"), .anyLike, .text("x"))),
        ("a ?!~ 'x'", cmp(id("a"), .anyNotLike, .text("x"))),
        ("a ?< 1", cmp(id("a"), .anyLess, .number("1"))),
        ("a ?<= 1", cmp(id("a"), .anyLessOrEqual, .number("1"))),
        ("a ?> 1", cmp(id("a"), .anyGreater, .number("1"))),
        ("a ?>= 1", cmp(id("a"), .anyGreaterOrEqual, .number("1"))),
        ("a <= 1", cmp(id("a"), .lessOrEqual, .number("1"))),
        ("a > 1", cmp(id("a"), .greater, .number("1"))),
        ("a = 1 // trailing comment", cmp(id("a"), .equal, .number("1"))),
        ("// leading\n\ta = 1", cmp(id("a"), .equal, .number("1"))),
        ("a = 1 && b = 2", .and([cmp(id("a"), .equal, .number("1")), cmp(id("b"), .equal, .number("2"))])),
        (
            "a = 1 || b = 2 && c = 3",
            .or([
                cmp(id("a"), .equal, .number("1")),
                .and([cmp(id("b"), .equal, .number("2")), cmp(id("c"), .equal, .number("3"))]),
            ])
        ),
        (
            "(a = 1 || b = 2) && c = 3",
            .and([
                .or([cmp(id("a"), .equal, .number("1")), cmp(id("b"), .equal, .number("2"))]),
                cmp(id("c"), .equal, .number("3")),
            ])
        ),
        (
            "((a = 1)) && (b = 2 && (c = 3))",
            .and([
                cmp(id("a"), .equal, .number("1")), cmp(id("b"), .equal, .number("2")),
                cmp(id("c"), .equal, .number("3")),
            ])
        ),
        ("f() = 1", cmp(.function(name: "f", arguments: []), .equal, .number("1"))),
        (
            "geoDistance(geo.lon, geo.lat, 10, -20.5) < 5",
            cmp(
                .function(
                    name: "geoDistance", arguments: [id("geo.lon"), id("geo.lat"), .number("10"), .number("-20.5")]),
                .less, .number("5"))
        ),
        (
            "strftime('%Y', created,) = '2024'",
            cmp(.function(name: "strftime", arguments: [.text("%Y"), id("created")]), .equal, .text("2024"))
        ),
        (
            "f( a // note\n , g(h('x')) ) = 1",
            cmp(
                .function(
                    name: "f",
                    arguments: [
                        id("a"), .function(name: "g", arguments: [.function(name: "h", arguments: [.text("x")])]),
                    ]), .equal, .number("1"))
        ),
    ]

    @Test(arguments: valid)
    func parsesValidFilters(text: String, expected: FilterExpression) throws {
        #expect(try FilterParser.parse(text) == expected)
    }

    static let invalid: [String] = [
        " ", "\t\n", "// only a comment", "a", "a =", "= 1", "a = 1 &&", "&& a = 1", "a = 1 b = 2", "a == 1", "a =! 1",
        "a <> 1", "a ? 1", "a = 1 & b = 2", "a = 1 ||| b = 2", "a = 1 &&& b = 2", "(a = 1", "a = 1)", "()", "( )",
        "(a = 1) (b = 2)", "a (b = 1)", "a = (b = 1)", "'unterminated", "a = 'x", "a = \"x\\\"", "a = 1.", "a = -",
        #"a = "\\"x""#, "a = 'x\\", #"a = 'x\\\'"#,
        "a = -.", "a = 1.2.3", "a. = 1", "a: = 1", "_ = 1", "@ = 1", "# = 1", "a = 1 / 2", "a = 1 /* c */",
        "a\r= 1", "a = 1;", "a = $x", "é = 1", "a = f(", "a = f(,b)", "a = f(b,,c)", "a = f(b c)", "a = f(b) = 1",
        "a = f((b))", "a = f(b = 1)", "a = f(g(h(i(1))))", "a = 1 && ()", "a = 1 , b = 2", "a.b( = 1",
    ]

    @Test(arguments: invalid)
    func rejectsInvalidFilters(text: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse(text) }
    }

    @Test func emptyFilterMeansNoCondition() throws {
        #expect(try FilterParser.parse("") == nil)
    }

    @Test func errorsCarryAGenericMessageAndADebugDetail() {
        do {
            _ = try FilterParser.parse("a = 'x")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Something went wrong while processing your request.")
            #expect(error.data.isEmpty)
            #expect(error.debugDetail?.contains("unterminated string") == true)
        }
    }

    @Test func enforcesTheLengthLimitOnClientFiltersOnly() throws {
        let padding = String(repeating: " ", count: 3500 - 5)
        #expect(try FilterParser.parse("a = 1" + padding) != nil)
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse("a = 1 " + padding) }
        #expect(try FilterParser.parse("a = 1 " + padding, limits: .rule) != nil)
    }

    @Test func enforcesTheExpressionLimit() throws {
        let two = Array(repeating: "a = 1", count: 200).joined(separator: " || ")
        #expect(try FilterParser.parse(two)?.comparisonCount == 200)
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse(two + " || b = 2") }
    }

    @Test func enforcesFunctionAndGroupDepth() throws {
        #expect(try FilterParser.parse("f(g(h(1))) = 1") != nil)
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse("f(g(h(i(1)))) = 1") }
        let deep = String(repeating: "(", count: 64) + "a = 1" + String(repeating: ")", count: 64)
        #expect(try FilterParser.parse(deep) != nil)
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse("(" + deep + ")") }
        let hostile = String(repeating: "(", count: 100_000)
        #expect(throws: SwiftbaseError.badRequest()) { try FilterParser.parse(hostile, limits: .rule) }
    }

    static let printed: [(String, String)] = [
        ("a=1", "a = 1"),
        ("a = 'x' && (b = 2 || c ?~ \"y\")", #"a = "x" && (b = 2 || c ?~ "y")"#),
        ("(a = 1 && b = 2) || c = 3", "a = 1 && b = 2 || c = 3"),
        (#"a = 'say "hi"'"#, #"a = "say \"hi\"""#),
        ("f(a,'b',-1,g()) != 1.50", #"f(a, "b", -1, g()) != 1.50"#),
    ]

    @Test(arguments: printed)
    func printsCanonicalText(text: String, canonical: String) throws {
        let parsed = try #require(try FilterParser.parse(text))
        #expect(parsed.description == canonical)
        #expect(try FilterParser.parse(canonical) == parsed)
    }
}
