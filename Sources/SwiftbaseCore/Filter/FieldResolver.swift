package import Foundation

/// Gives identifiers of a filter or sort their SQL meaning. ``FilterCompiler`` and ``SortCompiler`` know the
/// language; a resolver knows the schema (``RecordFieldResolver``), so the compiler can be tested without one.
package protocol FieldResolver {
    /// The instant date macros (`@now`, `@todayStart`, …) are computed from. Injected for deterministic tests.
    var now: Date { get }

    /// The SQL dialect compiled conditions are written in (JSON, date functions).
    var dialect: any SQLDialect { get }

    /// Resolves an identifier as written (`author.name`, `tags:each`, `@request.auth.id`).
    ///
    /// Throws a 400 for unknown fields and invalid paths, a 403 for references the caller may not use.
    /// Special literals (`null`, `true`, `false`) and macros are handled by the compiler: an identifier
    /// that fails here but spells one of those literals compiles to it.
    mutating func resolve(_ identifier: String) throws(SwiftbaseError) -> ResolvedOperand

    /// The joins registered since the last call, plus the conditions they impose (for example the joined
    /// collection's `listRule`); clears them. The compiler calls it once per compiled filter and wraps the
    /// joins into the condition it returns.
    mutating func takeJoins() throws(SwiftbaseError) -> FilterJoinScope
}

/// Joins collected while compiling one condition, and the extra conditions that must hold on the same
/// joined row (ANDed inside the same `EXISTS`).
package struct FilterJoinScope: Sendable, Equatable {
    package var joins: [FilterJoin]
    package var conditions: [SQLFragment]

    package init(joins: [FilterJoin] = [], conditions: [SQLFragment] = []) {
        self.joins = joins
        self.conditions = conditions
    }
}
