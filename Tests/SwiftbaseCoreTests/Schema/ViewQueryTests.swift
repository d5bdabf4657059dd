import SwiftbaseTesting
import Foundation
import Testing

@testable import SwiftbaseCore

/// The loose reading of a view query: columns and tables with their aliases, at the top level only.
@Suite struct ViewQueryTests {
    typealias Identifier = ViewQuery.Identifier

    static let cases: [(query: String, columns: [Identifier], tables: [Identifier])] = [
        ("select id, title from posts", [.init(original: "id", alias: "id"), .init(original: "title", alias: "title")],
         [.init(original: "posts", alias: "posts")]),
        ("SELECT p.id, p.title AS t, `p`.\"views\" hits FROM posts p", [
            .init(original: "p.id", alias: "id"), .init(original: "p.title", alias: "t"),
            .init(original: "p.views", alias: "hits"),
        ], [.init(original: "posts", alias: "p")]),
        ("select distinct a.id, count(b.id) as n, (select max(x) from y where z = 1) as m from a "
            + "left outer join b on b.a = a.id inner join c cc on cc.id = a.c where a.x > 1 group by a.id order by n",
         [.init(original: "a.id", alias: "id"), .init(original: "count(b.id)", alias: "n"),
          .init(original: "(select max(x) from y where z = 1)", alias: "m")],
         [.init(original: "a", alias: "a"), .init(original: "b", alias: "b"), .init(original: "c", alias: "cc")]),
        ("select id, 'a, b' as s, [weird name] as 'q' from t -- trailing\n", [
            .init(original: "id", alias: "id"), .init(original: "'a, b'", alias: "s"),
            .init(original: "weird name", alias: "q"),
        ], [.init(original: "t", alias: "t")]),
        ("select /* from x */ id from t;;", [.init(original: "id", alias: "id")], [.init(original: "t", alias: "t")]),
        ("select cast(views as real) as r, t.* from t", [
            .init(original: "cast(views as real)", alias: "r"), .init(original: "t.*", alias: "*"),
        ], [.init(original: "t", alias: "t")]),
    ]

    @Test(arguments: cases.indices)
    func readsColumnsAndTables(_ index: Int) throws {
        let expected = Self.cases[index]
        let parsed = try ViewQuery(parsing: expected.query)
        #expect(parsed.columns == expected.columns)
        #expect(parsed.tables == expected.tables)
    }

    @Test func refusesAnExpressionWithoutParentheses() {
        #expect(throws: ViewQuery.Problem.invalidIdentifier(["views", "*", "2", "as", "d"])) {
            try ViewQuery(parsing: "select id, views * 2 as d from t")
        }
    }

    @Test func refusesASecondStatementButNotASemicolonInQuotesOrAtTheEnd() throws {
        #expect(throws: ViewQuery.Problem.multipleStatements) { try ViewQuery.normalized("select 1; drop table x") }
        // As PocketBase trims: blanks, then semicolons (the blank before the last one stays).
        #expect(try ViewQuery.normalized("  select ';' as id from t ; ") == "select ';' as id from t ")
    }

    /// Any text: the reader answers or refuses with a `ViewQuery.Problem` (never traps, never throws anything
    /// else), and finds no more columns than one per `select` and one per comma. Half the inputs are random
    /// text, half a valid query with random damage, so both answers are exercised (and counted).
    @Test func arbitraryTextNeverTraps() {
        var generator = SeededRandom(seed: 0x5eed_1e55)
        let alphabet = Array("select from join left on where as ,()'\"`[]*.;-/\n\tabc123 ")
        let valid = Array("select t.id, t.a as b, count(u.x) as n from t left join u on t.x = u.y where t.z > 1 group by t.id")
        var (parsed, refused) = (0, 0)
        for round in 0..<3000 {
            var characters: [Character]
            if round.isMultiple(of: 2) {
                characters = (0..<generator.int(0..<80)).map { _ in generator.pick(alphabet) }
            } else {
                characters = valid
                for _ in 0..<generator.int(0..<4) {
                    let at = generator.int(0..<characters.count)
                    if generator.chance(50) { characters.remove(at: at) } else { characters.insert(generator.pick(alphabet), at: at) }
                }
            }
            let text = String(characters)
            do {
                _ = try ViewQuery.normalized(text)
                let query = try ViewQuery(parsing: text)
                parsed += 1
                let selects = text.lowercased().components(separatedBy: "select").count - 1
                #expect(query.columns.count <= text.filter { $0 == "," }.count + selects, "\(text)")
            } catch {
                refused += 1  // typed throws: a ViewQuery.Problem, checked by the compiler
            }
        }
        #expect(parsed > 100, "the damaged valid queries should often still parse")
        #expect(refused > 100)
    }
}
