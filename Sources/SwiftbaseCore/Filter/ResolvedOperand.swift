/// What a ``FieldResolver`` turns an identifier into: a SQL expression plus what the compiler needs to
/// reproduce PocketBase's comparison semantics around it.
package struct ResolvedOperand: Sendable, Equatable {
    /// How `=`/`!=` treat NULL against `''` for this operand.
    package enum NullFallback: Sendable, Equatable {
        /// NULL and `''` are equal (the default for columns and values).
        case auto
        /// Compare with `IS`/`IS NOT` and no coalescing (JSON values, functions, `:changed`).
        case disabled
        /// Never treat this operand as a known non-empty value (the date formatting function).
        case enforced
    }

    /// The SQL expression, its values bound.
    package var sql: SQLFragment
    package var nullFallback: NullFallback
    /// The literal values PocketBase treats as this operand's parameters: they decide whether the operand is
    /// "known empty" / "known non-empty" for `=`/`!=`, and they are the values `~` wraps in `%…%`.
    /// Either empty (a column-like expression) or exactly `sql.arguments`.
    package var parameters: [SQLValue]
    /// Set when the operand has several values per row (multi relation paths, back-relations,
    /// `@collection.*`, `:each`): the plain operators then also require every value to match.
    package var multiMatch: MultiMatchSubquery?
    /// True when `sql` refers to a join alias registered while resolving it.
    package var usesJoins: Bool
    /// Extra condition ANDed around every comparison using this operand (an auth collection's
    /// `emailVisibility = TRUE` when emails are filtered without hidden-field access).
    package var guardCondition: SQLFragment?

    package init(
        sql: SQLFragment, nullFallback: NullFallback = .auto, parameters: [SQLValue] = [],
        multiMatch: MultiMatchSubquery? = nil, usesJoins: Bool = false, guardCondition: SQLFragment? = nil
    ) {
        self.sql = sql
        self.nullFallback = nullFallback
        self.parameters = parameters
        self.multiMatch = multiMatch
        self.usesJoins = usesJoins
        self.guardCondition = guardCondition
    }

    /// The SQL `NULL` literal (unresolvable `@request.*` paths, `null`).
    package static let null = ResolvedOperand(sql: SQLFragment(unsafeRaw: "NULL"))

    /// A bound literal value (strings, numbers, macros, `@request.*` values).
    package static func value(_ value: SQLValue) -> ResolvedOperand {
        ResolvedOperand(sql: .bind(value), parameters: [value])
    }

    /// A constant SQL token known to be non-empty: `1`, `0`, `TRUE`, `FALSE`.
    static func constant(_ token: String) -> ResolvedOperand {
        ResolvedOperand(sql: SQLFragment(unsafeRaw: token))
    }

    /// A column or column expression (no parameters).
    static func column(_ sql: SQLFragment, usesJoins: Bool) -> ResolvedOperand {
        ResolvedOperand(sql: sql, usesJoins: usesJoins)
    }

    // MARK: - Classification (PocketBase's rules for NULL-vs-empty comparisons)

    /// `NULL` or an empty quoted literal written into the SQL.
    var isEmptyIdentifier: Bool {
        guard sql.sql.utf8.count <= 4 else { return false }
        switch sql.sql.lowercased() {
        case "", "null", "''", "\"\"", "``": return true
        default: return false
        }
    }

    /// A parameter that is NULL or the empty string.
    var hasEmptyParameter: Bool {
        parameters.contains { $0 == .null || $0 == .text("") }
    }

    /// Known to be NULL/empty: compares as `''`.
    var isKnownEmpty: Bool {
        isEmptyIdentifier || (nullFallback == .auto && parameters.count == 1 && hasEmptyParameter)
    }

    /// Known to hold a non-empty value, so a direct `=` needs no NULL handling.
    var isKnownNonEmpty: Bool {
        if nullFallback == .enforced { return false }
        if sql.sql.utf8.count <= 5 {
            switch sql.sql.lowercased() {
            case "1", "0", "true", "false": return true
            default: break
            }
        }
        return !parameters.isEmpty && !hasEmptyParameter && !isEmptyIdentifier
    }
}
