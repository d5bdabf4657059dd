/// Builds the SQL of one comparison from two resolved operands (PocketBase's `buildResolversExpr`).
enum ComparisonBuilder {
    static func build(_ left: ResolvedOperand, _ op: FilterOperator, _ right: ResolvedOperand) -> SQLFragment {
        var sql: SQLFragment
        switch op.base {
        case .equal: sql = equality(true, left, right)
        case .notEqual: sql = equality(false, left, right)
        case .like: sql = like(left, "LIKE", right)
        case .notLike: sql = like(left, "NOT LIKE", right)
        case .less: sql = binary(left, "<", right)
        case .lessOrEqual: sql = binary(left, "<=", right)
        case .greater: sql = binary(left, ">", right)
        default: sql = binary(left, ">=", right)
        }

        if !op.isAnyOf {
            if let leftValues = left.multiMatch, let rightValues = right.multiMatch {
                sql = both(sql, manyVersusMany(leftValues, left.nullFallback, op, rightValues, right.nullFallback))
            } else if let values = left.multiMatch {
                sql = both(sql, manyVersusOne(values, left.nullFallback, op, other: right, valuesOnLeft: true))
            } else if let values = right.multiMatch {
                sql = both(sql, manyVersusOne(values, right.nullFallback, op, other: left, valuesOnLeft: false))
            }
        }
        if let guardCondition = left.guardCondition { sql = both(sql, guardCondition) }
        if let guardCondition = right.guardCondition { sql = both(sql, guardCondition) }
        return sql
    }

    // MARK: - Operators

    private static func binary(_ left: ResolvedOperand, _ op: String, _ right: ResolvedOperand) -> SQLFragment {
        left.sql + SQLFragment(unsafeRaw: " \(op) ") + right.sql
    }

    /// `=` / `!=` with NULL ≡ `''`, written so that known values use a direct (index-friendly) comparison
    /// and `COALESCE` is only the fallback.
    private static func equality(_ equal: Bool, _ left: ResolvedOperand, _ right: ResolvedOperand) -> SQLFragment {
        let equalOp = equal ? "=" : "IS NOT"
        let nullSafeOp = equal ? "IS" : "IS NOT"
        let joinOp = equal ? "OR" : "AND"
        let nullTest = equal ? "IS NULL" : "IS NOT NULL"
        let empty = SQLFragment(unsafeRaw: "''")

        if left.nullFallback == .disabled || right.nullFallback == .disabled {
            return binary(left, nullSafeOp, right)
        }
        let leftEmpty = left.isKnownEmpty
        let rightEmpty = right.isKnownEmpty
        if leftEmpty && rightEmpty {
            return SQLFragment(unsafeRaw: "'' \(equalOp) ''")
        }
        if left.isKnownNonEmpty || right.isKnownNonEmpty {
            return (leftEmpty ? empty : left.sql) + SQLFragment(unsafeRaw: " \(equalOp) ")
                + (rightEmpty ? empty : right.sql)
        }
        if leftEmpty {
            return SQLFragment(unsafeRaw: "('' \(equalOp) ") + right.sql + SQLFragment(unsafeRaw: " \(joinOp) ")
                + right.sql
                + SQLFragment(unsafeRaw: " \(nullTest))")
        }
        if rightEmpty {
            return SQLFragment(unsafeRaw: "(") + left.sql + SQLFragment(unsafeRaw: " \(equalOp) '' \(joinOp) ")
                + left.sql
                + SQLFragment(unsafeRaw: " \(nullTest))")
        }
        return SQLFragment(unsafeRaw: "COALESCE(") + left.sql + SQLFragment(unsafeRaw: ", '') \(equalOp) COALESCE(")
            + right.sql
            + SQLFragment(unsafeRaw: ", '')")
    }

    /// `~` / `!~`: a value on the right becomes a contains-pattern (see `LikePattern`); a column on the
    /// right is wrapped in `'%' || … || '%'`.
    private static func like(_ left: ResolvedOperand, _ op: String, _ right: ResolvedOperand) -> SQLFragment {
        if right.parameters.isEmpty {
            return left.sql + SQLFragment(unsafeRaw: " \(op) ('%' || ") + right.sql
                + SQLFragment(unsafeRaw: " || '%') ESCAPE '\\'")
        }
        var pattern = right.sql
        pattern.arguments = pattern.arguments.map(LikePattern.containsPattern)
        return left.sql + SQLFragment(unsafeRaw: " \(op) ") + pattern + SQLFragment(unsafeRaw: " ESCAPE '\\'")
    }

    // MARK: - Multi-value ("every value must match")

    private static let valueColumn = "\"multiMatchValue\""

    /// `NOT EXISTS (SELECT 1 FROM (<values>) "__sm" WHERE NOT (<value OP other>))`.
    private static func manyVersusOne(
        _ values: MultiMatchSubquery, _ nullFallback: ResolvedOperand.NullFallback, _ op: FilterOperator,
        other: ResolvedOperand, valuesOnLeft: Bool
    ) -> SQLFragment {
        let value = ResolvedOperand(sql: SQLFragment(unsafeRaw: "\"__sm\"." + valueColumn), nullFallback: nullFallback)
        let plainOther = ResolvedOperand(sql: other.sql, parameters: other.parameters)
        let condition = valuesOnLeft ? build(value, op.base, plainOther) : build(plainOther, op.base, value)
        return SQLFragment(unsafeRaw: "NOT EXISTS (SELECT 1 FROM (") + values.sql
            + SQLFragment(unsafeRaw: ") \"__sm\" WHERE NOT (") + condition + SQLFragment(unsafeRaw: "))")
    }

    /// Every pair of values must match.
    private static func manyVersusMany(
        _ leftValues: MultiMatchSubquery, _ leftFallback: ResolvedOperand.NullFallback, _ op: FilterOperator,
        _ rightValues: MultiMatchSubquery, _ rightFallback: ResolvedOperand.NullFallback
    ) -> SQLFragment {
        let left = ResolvedOperand(sql: SQLFragment(unsafeRaw: "\"__ml\"." + valueColumn), nullFallback: leftFallback)
        let right = ResolvedOperand(sql: SQLFragment(unsafeRaw: "\"__mr\"." + valueColumn), nullFallback: rightFallback)
        return SQLFragment(unsafeRaw: "NOT EXISTS (SELECT 1 FROM (") + leftValues.sql
            + SQLFragment(unsafeRaw: ") \"__ml\" LEFT JOIN (") + rightValues.sql
            + SQLFragment(unsafeRaw: ") \"__mr\" WHERE NOT (") + build(left, op.base, right)
            + SQLFragment(unsafeRaw: "))")
    }

    private static func both(_ first: SQLFragment, _ second: SQLFragment) -> SQLFragment {
        SQLFragment(unsafeRaw: "(") + first + SQLFragment(unsafeRaw: " AND ") + second + SQLFragment(unsafeRaw: ")")
    }
}
