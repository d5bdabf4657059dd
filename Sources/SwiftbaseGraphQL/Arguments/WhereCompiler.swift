import GraphQL
import OrderedCollections
import SwiftbaseCore

/// What a `where` argument amounts to: no condition, a condition no row meets, or a filter tree.
enum WhereCondition: Equatable {
    case always
    case never
    case expression(FilterExpression)

    /// The tree to hand to the record service; `never` is a comparison that is always false.
    var filter: FilterExpression? {
        switch self {
        case .always: nil
        case .never: .comparison(FilterComparison(.number("1"), .equal, .number("0")))
        case .expression(let expression): expression
        }
    }
}

/// Compiles Hasura's typed `where` (`{title: {_ilike: "%swift%"}, author: {name: {_eq: "Ann"}}, _or: […]}`)
/// into the filter language's tree, which the record service compiles like any `filter=` with the
/// collection's rule ANDed in. Values become operands of the tree (bound when compiled): nothing the client
/// sends is ever spliced into filter text.
///
/// The filter language has no `NOT`, so `_not` is pushed down to the comparisons (De Morgan, and each operator
/// replaced by its complement, which is exact because PocketBase's `!=` is the precise negation of `=`).
/// Through a multi-valued path (a multi relation, a back-relation, a multi select's `:each`) a comparison holds
/// when any value matches (`?=`), as Hasura's array relationships do; its negation then requires every value
/// to fail (the plain operator).
struct WhereCompiler {
    let catalog: GraphQLCatalog
    var limits = Limits()

    struct Limits {
        /// Relation hops in one path (`author.team.owner…`), as `expand` allows.
        var maxRelationHops = 6
        /// Nesting of `_and`/`_or`/`_not` and relation objects.
        var maxNesting = 32
        /// Comparisons in the whole tree.
        var maxComparisons = 1000
    }

    func compile(_ argument: Map, on shape: CollectionShape) throws(SwiftbaseError) -> WhereCondition {
        let condition = try boolExp(argument, shape: shape, path: Path(), negated: false, nesting: 0)
        if case .expression(let expression) = condition, expression.comparisonCount > limits.maxComparisons {
            throw Self.invalid("where has more than \(limits.maxComparisons) comparisons")
        }
        return condition
    }

    /// Where the comparisons of a nested object apply: the identifier prefix, and whether a multi-valued
    /// relation was crossed.
    struct Path {
        var prefix = ""
        var isMultiple = false
        var hops = 0
    }

    // MARK: - Boolean expressions

    private func boolExp(_ value: Map, shape: CollectionShape, path: Path, negated: Bool, nesting: Int)
        throws(SwiftbaseError) -> WhereCondition
    {
        guard nesting <= limits.maxNesting else { throw Self.invalid("where is nested too deeply") }
        guard case .dictionary(let entries) = value else {
            if value.isNull || value.isUndefined { return .always }
            throw Self.invalid("where must be an object")
        }
        var parts: [WhereCondition] = []
        // Absent input fields arrive as `undefined`, explicit ones may be `null`: neither is a condition.
        for (key, operand) in entries where !operand.isNull && !operand.isUndefined {
            switch key {
            case "_and", "_or":
                guard case .array(let items) = operand else { throw Self.invalid("\(key) must be a list") }
                var children: [WhereCondition] = []
                for item in items {
                    children.append(try boolExp(item, shape: shape, path: path, negated: negated, nesting: nesting + 1))
                }
                // ¬(a ∧ b) = ¬a ∨ ¬b, ¬(a ∨ b) = ¬a ∧ ¬b.
                parts.append(Self.combine(children, all: (key == "_and") != negated))
            case "_not":
                parts.append(try boolExp(operand, shape: shape, path: path, negated: !negated, nesting: nesting + 1))
            default:
                guard let field = shape.field(key) else { throw Self.invalid("unknown field \(key)") }
                parts.append(try fieldCondition(field, operand, path: path, negated: negated, nesting: nesting))
            }
        }
        // The entries of one object hold together.
        return Self.combine(parts, all: !negated)
    }

    private func fieldCondition(_ field: FieldShape, _ operand: Map, path: Path, negated: Bool, nesting: Int)
        throws(SwiftbaseError) -> WhereCondition
    {
        switch field.kind {
        case .system(let name):
            return try comparisons(operand, identifier: path.prefix + name, type: .string, path: path, negated: negated)
        case .value(let stored, let type):
            return try comparisons(
                operand, identifier: path.prefix + stored.name, type: type, path: path, negated: negated)
        case .file(let stored, let isList):
            return try comparisons(
                operand, identifier: path.prefix + stored.name, type: isList ? .stringList : .string, path: path,
                negated: negated)
        case .relation(let stored, let targetType, let isList):
            guard let target = catalog.shape(type: targetType) else { throw Self.invalid("unknown relation") }
            let next = try hop(path, through: stored.name, isMultiple: isList)
            return try boolExp(operand, shape: target, path: next, negated: negated, nesting: nesting + 1)
        case .backRelation(let key, let sourceType, _, _):
            guard let source = catalog.shape(type: sourceType) else { throw Self.invalid("unknown relation") }
            let next = try hop(path, through: key, isMultiple: true)
            return try boolExp(operand, shape: source, path: next, negated: negated, nesting: nesting + 1)
        case .fileURL:
            throw Self.invalid("\(field.name) cannot be compared")
        }
    }

    private func hop(_ path: Path, through name: String, isMultiple: Bool) throws(SwiftbaseError) -> Path {
        guard path.hops < limits.maxRelationHops else {
            throw Self.invalid("where crosses more than \(limits.maxRelationHops) relations")
        }
        return Path(prefix: path.prefix + name + ".", isMultiple: path.isMultiple || isMultiple, hops: path.hops + 1)
    }

    // MARK: - Comparisons

    private func comparisons(_ operand: Map, identifier: String, type: ValueType, path: Path, negated: Bool)
        throws(SwiftbaseError) -> WhereCondition
    {
        guard case .dictionary(let entries) = operand else { throw Self.invalid("a comparison must be an object") }
        guard let comparison = type.comparison else { throw Self.invalid("\(identifier) cannot be compared") }
        let anyOf = path.isMultiple || type == .stringList
        // A multi select or multi file column holds a JSON array: `:each` compares its values one by one.
        let operandName = type == .stringList ? identifier + ":each" : identifier
        var parts: [WhereCondition] = []
        for (key, value) in entries {
            guard let op = ComparisonOperator(rawValue: key), comparison.operators.contains(op) else {
                throw Self.invalid("unknown operator \(key)")
            }
            if value.isNull || value.isUndefined { continue }
            let compare = { (filterOp: FilterOperator, right: FilterOperand) -> WhereCondition in
                .expression(
                    .comparison(
                        Self.comparison(.identifier(operandName), filterOp, right, anyOf: anyOf, negated: negated)))
            }
            switch op {
            case .eq: parts.append(compare(.equal, try Self.operand(value, type)))
            case .neq: parts.append(compare(.notEqual, try Self.operand(value, type)))
            case .gt: parts.append(compare(.greater, try Self.operand(value, type)))
            case .gte: parts.append(compare(.greaterOrEqual, try Self.operand(value, type)))
            case .lt: parts.append(compare(.less, try Self.operand(value, type)))
            case .lte: parts.append(compare(.lessOrEqual, try Self.operand(value, type)))
            case .like, .ilike: parts.append(compare(.like, try Self.operand(value, .string)))
            case .nlike, .nilike: parts.append(compare(.notLike, try Self.operand(value, .string)))
            case .in, .nin:
                var each: [WhereCondition] = []
                for item in try Self.list(value) {
                    each.append(compare(op == .in ? .equal : .notEqual, try Self.operand(item, type)))
                }
                // `_in` is "one of", `_nin` "none of"; negated, each flips.
                parts.append(Self.combine(each, all: (op == .nin) != negated))
            case .contains:
                var each: [WhereCondition] = []
                for item in try Self.list(value) {
                    each.append(compare(.equal, try Self.operand(item, .string)))
                }
                parts.append(Self.combine(each, all: !negated))
            case .isNull:
                guard case .bool(let isNull) = value else { throw Self.invalid("_is_null takes a Boolean") }
                if type == .stringList {
                    // An empty list is a multi field's "no value".
                    let length = FilterOperand.identifier(identifier + ":length")
                    let holds = isNull != negated
                    parts.append(
                        .expression(.comparison(FilterComparison(length, holds ? .equal : .greater, .number("0")))))
                } else {
                    parts.append(compare(isNull ? .equal : .notEqual, .identifier("null")))
                }
            }
        }
        return Self.combine(parts, all: !negated)
    }

    /// `left op right`, negated when asked, with the any-of form where the left side has many values.
    static func comparison(
        _ left: FilterOperand, _ op: FilterOperator, _ right: FilterOperand, anyOf: Bool, negated: Bool
    ) -> FilterComparison {
        let base = negated ? complement(op) : op
        // "Some value matches" negates to "every value fails": the plain operator on a multi-valued side.
        let useAnyOf = anyOf && !negated
        return FilterComparison(left, useAnyOf ? anyOfForm(base) : base, right)
    }

    static func complement(_ op: FilterOperator) -> FilterOperator {
        switch op.base {
        case .equal: .notEqual
        case .notEqual: .equal
        case .like: .notLike
        case .notLike: .like
        case .less: .greaterOrEqual
        case .lessOrEqual: .greater
        case .greater: .lessOrEqual
        case .greaterOrEqual: .less
        default: op
        }
    }

    static func anyOfForm(_ op: FilterOperator) -> FilterOperator {
        FilterOperator(rawValue: "?" + op.base.rawValue) ?? op
    }

    // MARK: - Values

    static func operand(_ value: Map, _ type: ValueType) throws(SwiftbaseError) -> FilterOperand {
        switch (type, value) {
        case (.string, .string(let text)), (.dateTime, .string(let text)), (.stringList, .string(let text)):
            return .text(text)
        case (.int, .number(let number)), (.float, .number(let number)):
            return .number(numberLiteral(number.doubleValue))
        case (.boolean, .bool(let flag)):
            return .identifier(flag ? "true" : "false")
        default:
            throw invalid("a value does not fit its field")
        }
    }

    /// A finite number as the filter language writes it (`3`, `2.5`, `1e+20`).
    static func numberLiteral(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private static func list(_ value: Map) throws(SwiftbaseError) -> [Map] {
        switch value {
        case .array(let items): items
        case .null, .undefined: []
        default: [value]  // GraphQL input coercion accepts a single value for a list.
        }
    }

    /// `all`: a conjunction (an empty one holds); otherwise a disjunction (an empty one never holds).
    static func combine(_ parts: [WhereCondition], all: Bool) -> WhereCondition {
        var expressions: [FilterExpression] = []
        for part in parts {
            switch part {
            case .always: if !all { return .always }
            case .never: if all { return .never }
            case .expression(let expression): expressions.append(expression)
            }
        }
        if expressions.isEmpty { return all ? .always : .never }
        return .expression(all ? .conjunction(expressions) : .disjunction(expressions))
    }

    static func invalid(_ detail: String) -> SwiftbaseError {
        SwiftbaseError(.badRequest, "Invalid where argument: \(detail).")
    }
}
