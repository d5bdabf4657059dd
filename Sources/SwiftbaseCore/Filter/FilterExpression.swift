/// A parsed PocketBase filter: comparisons joined with `&&` and `||`.
///
/// The tree is kept canonical so that equal filters compare equal however they were grouped:
/// `.and`/`.or` always hold at least two children and never a child of their own kind
/// (`(a && b) && c` and `a && (b && c)` are both `.and([a, b, c])`). Build composite nodes with
/// ``conjunction(_:)`` and ``disjunction(_:)``, which keep that shape. Grouping parentheses are
/// not stored; the printer (``description``) re-inserts them where precedence needs them.
///
/// ```swift
/// let filter = try FilterParser.parse("title ~ 'swift' && (n > 5 || tags:each ?= 'x')")
/// print(filter?.description ?? "")  // title ~ "swift" && (n > 5 || tags:each ?= "x")
/// ```
package indirect enum FilterExpression: Sendable, Equatable, Hashable {
    /// `operand OP operand`.
    case comparison(FilterComparison)
    /// Every child must hold (`&&`, binds tighter than `||`).
    case and([FilterExpression])
    /// At least one child must hold (`||`).
    case or([FilterExpression])

    /// `a && b && …`, flattening nested conjunctions. A single part is returned as is.
    /// - Precondition: `parts` is not empty.
    package static func conjunction(_ parts: [FilterExpression]) -> FilterExpression {
        precondition(!parts.isEmpty, "a conjunction needs at least one part")
        var flat: [FilterExpression] = []
        flat.reserveCapacity(parts.count)
        for part in parts {
            if case .and(let children) = part { flat.append(contentsOf: children) } else { flat.append(part) }
        }
        return flat.count == 1 ? flat[0] : .and(flat)
    }

    /// `a || b || …`, flattening nested disjunctions. A single part is returned as is.
    /// - Precondition: `parts` is not empty.
    package static func disjunction(_ parts: [FilterExpression]) -> FilterExpression {
        precondition(!parts.isEmpty, "a disjunction needs at least one part")
        var flat: [FilterExpression] = []
        flat.reserveCapacity(parts.count)
        for part in parts {
            if case .or(let children) = part { flat.append(contentsOf: children) } else { flat.append(part) }
        }
        return flat.count == 1 ? flat[0] : .or(flat)
    }

    /// Number of comparisons in the tree (what PocketBase's 200-expression limit counts).
    package var comparisonCount: Int {
        switch self {
        case .comparison: 1
        case .and(let children), .or(let children): children.reduce(0) { $0 + $1.comparisonCount }
        }
    }
}

/// One `left OP right` expression.
package struct FilterComparison: Sendable, Equatable, Hashable {
    package var left: FilterOperand
    package var op: FilterOperator
    package var right: FilterOperand

    package init(_ left: FilterOperand, _ op: FilterOperator, _ right: FilterOperand) {
        self.left = left
        self.op = op
        self.right = right
    }
}

/// An operand as written: identifiers stay unresolved text (`author.name`, `tags:each`,
/// `@request.auth.id`); the resolver gives them meaning at compile time.
package indirect enum FilterOperand: Sendable, Equatable, Hashable {
    /// A field path, macro (`@now`) or special literal (`null`, `true`, `false`), modifiers included.
    case identifier(String)
    /// A quoted string with its escapes already removed.
    case text(String)
    /// A number exactly as written (`-1`, `2.50`); kept as text so printing round-trips.
    case number(String)
    /// `name(arg, …)`; arguments are identifiers, numbers, texts or nested calls.
    case function(name: String, arguments: [FilterOperand])
}

/// The comparison operators. Each plain operator has an "any-of" twin prefixed with `?`.
package enum FilterOperator: String, Sendable, Equatable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case like = "~"
    case notLike = "!~"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case anyEqual = "?="
    case anyNotEqual = "?!="
    case anyLike = "?~"
    case anyNotLike = "?!~"
    case anyLess = "?<"
    case anyLessOrEqual = "?<="
    case anyGreater = "?>"
    case anyGreaterOrEqual = "?>="

    /// True for the `?`-prefixed operators: at least one value of a multi-valued operand must match
    /// (the plain operators require every value to match).
    package var isAnyOf: Bool { rawValue.hasPrefix("?") }

    /// The operator without its `?` prefix (`?>=` → `>=`).
    package var base: FilterOperator {
        switch self {
        case .anyEqual: .equal
        case .anyNotEqual: .notEqual
        case .anyLike: .like
        case .anyNotLike: .notLike
        case .anyLess: .less
        case .anyLessOrEqual: .lessOrEqual
        case .anyGreater: .greater
        case .anyGreaterOrEqual: .greaterOrEqual
        default: self
        }
    }
}
