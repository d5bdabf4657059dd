import SwiftbaseTesting
import SwiftbaseCore
import Testing

/// Builds random, canonical filter trees from a seeded generator.
private struct RandomFilterBuilder {
    var rng: SeededRandom

    private static let letters = Array("abcxyzABZ")
    private static let continuation = Array("abz09_.:")
    private static let textScalars: [Character] = Array("ab z'\"\\%_\n\t\r()&|=é✓") + ["\u{1F600}"]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func identifier() -> String {
        var name = String(pick(Self.letters + ["_", "@", "#"]))
        for _ in 0..<int(0...8) { name.append(pick(Self.continuation)) }
        while let last = name.last, last == "." || last == ":" { name.removeLast() }
        if name.count == 1, "_@#".contains(name) { name += "x" }
        return name
    }

    mutating func text() -> String {
        var value = ""
        for _ in 0..<int(0...10) { value.append(pick(Self.textScalars)) }
        return value
    }

    mutating func number() -> String {
        var literal = int(0...3) == 0 ? "-" : ""
        switch int(0...2) {
        case 0: literal += String(int(0...99_999))
        case 1: literal += String(int(0...999)) + "." + String(int(0...999))
        default: literal += "." + String(int(0...99))
        }
        if literal == "." || literal.hasPrefix(".") { literal = "0" + literal }
        return literal
    }

    mutating func operand(functionDepth: Int = 0) -> FilterOperand {
        switch int(0...(functionDepth < 3 ? 3 : 2)) {
        case 0: return .identifier(identifier())
        case 1: return .text(text())
        case 2: return .number(number())
        default:
            var arguments: [FilterOperand] = []
            for _ in 0..<int(0...3) { arguments.append(operand(functionDepth: functionDepth + 1)) }
            return .function(name: identifier(), arguments: arguments)
        }
    }

    mutating func expression(depth: Int = 0) -> FilterExpression {
        if depth >= 4 || int(0...2) == 0 {
            return .comparison(FilterComparison(operand(), pick(FilterOperator.allCases), operand()))
        }
        var children: [FilterExpression] = []
        for _ in 0..<int(2...4) { children.append(expression(depth: depth + 1)) }
        return int(0...1) == 0 ? .conjunction(children) : .disjunction(children)
    }
}

@Suite struct FilterPropertyTests {
    @Test(arguments: [UInt64(1), 42, 0xDEAD_BEEF])
    func printedTreesParseBackToEqualTrees(seed: UInt64) throws {
        var builder = RandomFilterBuilder(rng: SeededRandom(seed: seed))
        for _ in 0..<1_000 {
            let expression = builder.expression()
            let printed = expression.description
            let reparsed = try FilterParser.parse(printed, limits: .rule)
            #expect(reparsed == expression, "\(printed)")
            if reparsed != expression { return }
        }
    }

    static let seeds = [
        "title = 'x' && (n > 5 || tags:each ?= \"a\") // note",
        "@request.auth.id != '' && author = @request.auth.id || f(a, 'b', g(1)) ?!~ -2.5",
        "a.b.c:lower ?>= 'q\\'x' && (x < 1 || (y = 2 && z != null))",
    ]

    /// Random and mutated input never crashes the parser; whatever parses prints back to the same tree and
    /// compiles to SQL whose placeholders match its arguments.
    @Test(arguments: [UInt64(7), 99])
    func fuzzedInputNeverCrashes(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let alphabet = Array("ab1_@#.:'\"\\ ()&|=!<>?~,/-\n\t\r%é") + ["\u{1F600}"]
        var parsedCount = 0
        for round in 0..<4_000 {
            var text: String
            if round % 2 == 0 {
                text = String(
                    (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
            } else {
                var characters = Array(Self.seeds[round % Self.seeds.count])
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !characters.isEmpty {
                    let index = Int.random(in: 0..<characters.count, using: &rng)
                    switch Int.random(in: 0...2, using: &rng) {
                    case 0: characters.remove(at: index)
                    case 1: characters.insert(alphabet.randomElement(using: &rng) ?? "a", at: index)
                    default: characters[index] = alphabet.randomElement(using: &rng) ?? "a"
                    }
                }
                text = String(characters)
            }
            guard let expression = try? FilterParser.parse(text) else { continue }
            parsedCount += 1
            #expect(try FilterParser.parse(expression.description) == expression, "\(text)")
            var resolver = FilterFixture.resolver()
            if let sql = try? FilterCompiler.compile(expression, resolver: &resolver) {
                #expect(sql.placeholderCount == sql.arguments.count, "\(text)")
            }
        }
        #expect(parsedCount > 100)
    }
}
