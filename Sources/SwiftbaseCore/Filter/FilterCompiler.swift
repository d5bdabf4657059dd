/// Compiles a ``FilterExpression`` into a boolean SQL condition with PocketBase's semantics.
///
/// ```swift
/// var resolver = RecordFieldResolver(schema: schema, collection: posts, request: info,
///                                    allowHiddenFields: false, allowRequestAndCollectionReferences: false)
/// let condition = try FilterCompiler.compile(expression, resolver: &resolver)
/// // SELECT "posts".* FROM "posts" WHERE <condition.sql>   (arguments: condition.arguments)
/// ```
///
/// The result is self-contained (see ``RecordFieldResolver``'s query-shape contract): comparisons that use
/// joined rows are wrapped, together with the conditions those joins impose, in one
/// `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE …)`; top-level `&&` parts that need no join stay
/// outside it so SQLite can still use indexes on them. Every value is bound.
///
/// Semantics reproduced from PocketBase:
/// - `=`/`!=` treat NULL and `''` as equal, and `!=` is the exact negation (`IS NOT`, never NULL);
///   JSON values, `geoDistance` and `:changed` compare with plain `IS`/`IS NOT`.
/// - `~`/`!~` with a value: wrapped as `%value%` with `\ % _` escaped, unless the value contains an
///   unescaped `%` (then it is the LIKE pattern as written); with a column: contains-match.
/// - A multi-valued operand with a plain operator must match for every value (an extra
///   `NOT EXISTS (… WHERE NOT <comparison>)`); the `?` operators need one matching value.
/// - `null`, `true`, `false` are literals unless a field has that name.
package enum FilterCompiler {
    /// A compiled sub-condition, and whether it refers to join aliases (and must stay inside `EXISTS`).
    struct CompiledCondition {
        var sql: SQLFragment
        var usesJoins: Bool
    }

    /// Compiles `expression` into a self-contained condition over the resolver's base table.
    package static func compile<Resolver: FieldResolver>(_ expression: FilterExpression, resolver: inout Resolver)
        throws(SwiftbaseError) -> SQLFragment
    {
        var parts: [CompiledCondition] = []
        if case .and(let children) = expression {
            for child in children { parts.append(try compileCondition(child, resolver: &resolver)) }
        } else {
            parts.append(try compileCondition(expression, resolver: &resolver))
        }
        let scope = try resolver.takeJoins()
        if scope.joins.isEmpty && scope.conditions.isEmpty {
            return parts.count == 1 ? parts[0].sql : conjunction(parts.map(\.sql))
        }
        var outside: [SQLFragment] = []
        var inside: [SQLFragment] = scope.conditions
        for part in parts {
            if part.usesJoins { inside.append(part.sql) } else { outside.append(part.sql) }
        }
        var exists = SQLFragment(unsafeRaw: "EXISTS (SELECT 1 FROM (SELECT 1)")
        for join in scope.joins { exists += join.sql }
        if !inside.isEmpty {
            exists += SQLFragment(unsafeRaw: " WHERE ") + SQLFragment.join(inside, separator: " AND ")
        }
        exists += SQLFragment(unsafeRaw: ")")
        outside.append(exists)
        return outside.count == 1 ? outside[0] : conjunction(outside)
    }

    /// Compiles without wrapping joins: the caller owns the join scope (nested rule and `:changed`
    /// compilation share the outer scope this way).
    static func compileCondition<Resolver: FieldResolver>(_ expression: FilterExpression, resolver: inout Resolver)
        throws(SwiftbaseError) -> CompiledCondition
    {
        switch expression {
        case .comparison(let comparison):
            let left = try resolveOperand(comparison.left, resolver: &resolver)
            let right = try resolveOperand(comparison.right, resolver: &resolver)
            return CompiledCondition(
                sql: ComparisonBuilder.build(left, comparison.op, right), usesJoins: left.usesJoins || right.usesJoins)
        case .and(let children), .or(let children):
            var parts: [SQLFragment] = []
            var usesJoins = false
            for child in children {
                let compiled = try compileCondition(child, resolver: &resolver)
                parts.append(compiled.sql)
                usesJoins = usesJoins || compiled.usesJoins
            }
            let separator = if case .and = expression { " AND " } else { " OR " }
            return CompiledCondition(
                sql: SQLFragment(unsafeRaw: "(") + SQLFragment.join(parts, separator: separator)
                    + SQLFragment(unsafeRaw: ")"),
                usesJoins: usesJoins)
        }
    }

    /// Literals, macros, identifiers and function calls to SQL operands.
    static func resolveOperand<Resolver: FieldResolver>(_ operand: FilterOperand, resolver: inout Resolver)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        switch operand {
        case .text(let value):
            return .value(.text(value))
        case .number(let literal):
            return .value(.real(Double(literal) ?? 0))
        case .function(let name, let arguments):
            return try FilterFunctions.resolve(name, arguments, resolver: &resolver)
        case .identifier(let name):
            if let macro = FilterDateMacros.value(of: name, now: resolver.now) { return .value(macro) }
            do {
                return try resolver.resolve(name)
            } catch {
                // `null`/`true`/`false` are literals only when no field has that name.
                switch name.lowercased() {
                case "null": return .null
                case "true": return .constant("1")
                case "false": return .constant("0")
                default: throw error
                }
            }
        }
    }

    private static func conjunction(_ parts: [SQLFragment]) -> SQLFragment {
        SQLFragment(unsafeRaw: "(") + SQLFragment.join(parts, separator: " AND ") + SQLFragment(unsafeRaw: ")")
    }
}
