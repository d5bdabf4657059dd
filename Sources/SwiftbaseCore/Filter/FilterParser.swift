/// Parses PocketBase filter text into a ``FilterExpression``.
///
/// Grammar (lexical rules in `FilterLexer`):
/// ```
/// filter     := disjunction END
/// disjunction:= conjunction ("||" conjunction)*
/// conjunction:= primary ("&&" primary)*          // && binds tighter than ||, as in SQL
/// primary    := "(" disjunction ")" | operand OPERATOR operand
/// operand    := IDENTIFIER | TEXT | NUMBER | call
/// call       := NAME "(" [operand ("," operand)* [","]] ")"   // nesting depth ≤ 3
/// ```
/// A bare identifier is not an expression. An empty string means "no condition" (`nil`); text made only
/// of whitespace or comments is an error, as in PocketBase. Every error is a 400 with PocketBase's
/// generic message; the cause is in `debugDetail`.
///
/// Parsing is linear in the input; recursion is bounded by ``Limits/maxGroupDepth`` and
/// ``Limits/maxFunctionDepth`` so no input can exhaust the stack.
package enum FilterParser {
    /// Bounds that keep hostile input cheap.
    package struct Limits: Sendable, Equatable {
        /// Maximum filter length in UTF-8 bytes (`nil` = unlimited).
        package var maxLength: Int?
        /// Maximum number of comparisons.
        package var maxComparisons: Int
        /// Maximum nesting of function calls (`f(g(h(x)))` is depth 3).
        package var maxFunctionDepth: Int
        /// Maximum nesting of parenthesised groups (PocketBase has none; ours protects the stack).
        package var maxGroupDepth: Int

        package init(
            maxLength: Int? = 3500, maxComparisons: Int = 200, maxFunctionDepth: Int = 3, maxGroupDepth: Int = 64
        ) {
            self.maxLength = maxLength
            self.maxComparisons = maxComparisons
            self.maxFunctionDepth = maxFunctionDepth
            self.maxGroupDepth = maxGroupDepth
        }

        /// Client `filter=` parameters: PocketBase's 3500 characters and 200 comparisons.
        package static let clientFilter = Limits()
        /// Collection rules: no length limit (PocketBase applies it to client filters only).
        package static let rule = Limits(maxLength: nil)
    }

    /// Parses `text`; `nil` when `text` is empty (no condition).
    package static func parse(_ text: String, limits: Limits = .clientFilter) throws(SwiftbaseError) -> FilterExpression?
    {
        if text.isEmpty { return nil }
        if let maxLength = limits.maxLength, text.utf8.count > maxLength {
            throw .invalidFilter("filter longer than \(maxLength) bytes")
        }
        var state = State(lexer: FilterLexer(text), limits: limits)
        try state.advance()
        if state.current.kind == .end { throw .invalidFilter("empty filter expression") }
        let expression = try state.parseDisjunction(depth: 0)
        guard state.current.kind == .end else {
            throw .invalidFilter("expected && or || at offset \(state.current.offset)")
        }
        return expression
    }

    private struct State {
        var lexer: FilterLexer
        let limits: Limits
        var current = FilterToken(kind: .end, offset: 0)
        var comparisons = 0

        mutating func advance() throws(SwiftbaseError) {
            current = try lexer.next()
        }

        mutating func parseDisjunction(depth: Int) throws(SwiftbaseError) -> FilterExpression {
            var parts = [try parseConjunction(depth: depth)]
            while current.kind == .or {
                try advance()
                parts.append(try parseConjunction(depth: depth))
            }
            return .disjunction(parts)
        }

        mutating func parseConjunction(depth: Int) throws(SwiftbaseError) -> FilterExpression {
            var parts = [try parsePrimary(depth: depth)]
            while current.kind == .and {
                try advance()
                parts.append(try parsePrimary(depth: depth))
            }
            return .conjunction(parts)
        }

        mutating func parsePrimary(depth: Int) throws(SwiftbaseError) -> FilterExpression {
            if current.kind == .leftParen {
                guard depth < limits.maxGroupDepth else { throw .invalidFilter("groups nested too deeply") }
                let open = current.offset
                try advance()
                if current.kind == .rightParen { throw .invalidFilter("empty group at offset \(open)") }
                let inner = try parseDisjunction(depth: depth + 1)
                guard current.kind == .rightParen else {
                    throw .invalidFilter("missing closing bracket for the group at offset \(open)")
                }
                try advance()
                return inner
            }
            let left = try parseOperand(functionDepth: 0, side: "left")
            guard case .comparisonOperator(let op) = current.kind else {
                throw .invalidFilter("expected an operator at offset \(current.offset)")
            }
            try advance()
            let right = try parseOperand(functionDepth: 0, side: "right")
            comparisons += 1
            guard comparisons <= limits.maxComparisons else {
                throw .invalidFilter("more than \(limits.maxComparisons) expressions")
            }
            return .comparison(FilterComparison(left, op, right))
        }

        mutating func parseOperand(functionDepth: Int, side: String) throws(SwiftbaseError) -> FilterOperand {
            let token = current
            switch token.kind {
            case .identifier(let name):
                try advance()
                return .identifier(name)
            case .text(let value):
                try advance()
                return .text(value)
            case .number(let literal):
                try advance()
                return .number(literal)
            case .functionStart(let name):
                guard functionDepth < limits.maxFunctionDepth else {
                    throw .invalidFilter("functions nested deeper than \(limits.maxFunctionDepth)")
                }
                try advance()
                return .function(name: name, arguments: try parseArguments(of: name, depth: functionDepth + 1))
            default:
                throw .invalidFilter("expected a \(side) operand at offset \(token.offset)")
            }
        }

        /// Arguments after `name(`: comma separated; a trailing comma is tolerated, as PocketBase does.
        mutating func parseArguments(of name: String, depth: Int) throws(SwiftbaseError) -> [FilterOperand] {
            var arguments: [FilterOperand] = []
            while true {
                if current.kind == .rightParen {
                    try advance()
                    return arguments
                }
                switch current.kind {
                case .identifier, .text, .number, .functionStart:
                    arguments.append(try parseOperand(functionDepth: depth, side: "function argument"))
                default:
                    throw .invalidFilter("invalid argument of \(name)() at offset \(current.offset)")
                }
                switch current.kind {
                case .comma:
                    try advance()
                case .rightParen:
                    continue
                default:
                    throw .invalidFilter("expected , or ) in \(name)() at offset \(current.offset)")
                }
            }
        }
    }
}
