/// A `LEFT JOIN` a resolved identifier needs, e.g. the related collection of `author.name`.
///
/// Aliases are derived from the path (`posts_author`, `__je_posts_tags`), so resolving the same path twice
/// registers the join once and both comparisons share it, as in PocketBase.
package struct FilterJoin: Sendable, Equatable {
    /// A quoted table name or a table-valued expression such as a JSON array's elements (values bound).
    package var table: SQLFragment
    /// Unquoted alias; quoted when rendered.
    package var alias: String
    package var on: SQLFragment?
    /// The collection behind `table`, when it is one; its `listRule` applies to non-superuser filters.
    package var collectionName: String?

    package init(table: SQLFragment, alias: String, on: SQLFragment? = nil, collectionName: String? = nil) {
        self.table = table
        self.alias = alias
        self.on = on
        self.collectionName = collectionName
    }

    /// ` LEFT JOIN <table> "<alias>" [ON <condition>]`, with a leading space.
    package var sql: SQLFragment {
        var out = SQLFragment(unsafeRaw: " LEFT JOIN ") + table + SQLFragment(unsafeRaw: " " + quoteIdentifier(alias))
        if let on { out += SQLFragment(unsafeRaw: " ON ") + on }
        return out
    }
}

/// The "every value must match" half of a plain operator on a multi-valued operand.
///
/// `sql` selects every value of the operand for the current row as `multiMatchValue`; the compiler
/// wraps it as `NOT EXISTS (SELECT 1 FROM (<sql>) WHERE NOT <comparison>)`. It re-walks the operand's
/// path with `__mm_`-prefixed aliases and is correlated to the outer row by id.
package struct MultiMatchSubquery: Sendable, Equatable {
    /// Collection (table) the path starts from.
    package var fromTable: String
    /// Alias of `fromTable` inside the subquery (`__mm_posts`).
    package var fromAlias: String
    /// Alias of the outer row the subquery is correlated to (`posts`).
    package var targetAlias: String
    package var joins: [FilterJoin]
    /// The value expression over the subquery's aliases.
    package var value: SQLFragment

    package init(fromTable: String, fromAlias: String, targetAlias: String, joins: [FilterJoin] = [], value: SQLFragment)
    {
        self.fromTable = fromTable
        self.fromAlias = fromAlias
        self.targetAlias = targetAlias
        self.joins = joins
        self.value = value
    }

    package var sql: SQLFragment {
        var out = SQLFragment(unsafeRaw: "SELECT ") + value
        out += SQLFragment(
            unsafeRaw: " AS \"multiMatchValue\" FROM \(quoteIdentifier(fromTable)) \(quoteIdentifier(fromAlias))")
        for join in joins { out += join.sql }
        out += SQLFragment(
            unsafeRaw: " WHERE \(quoteIdentifier(fromAlias)).\"id\" = \(quoteIdentifier(targetAlias)).\"id\"")
        return out
    }
}

/// SQL snippets over JSON columns, as PocketBase writes them: values that are not JSON arrays are
/// treated as one-element arrays, and non-JSON text as a plain string. The dialect spells them.
enum FilterJSONSQL {
    /// The values of a multi-value column as rows (``SQLDialect/jsonValues(_:)``).
    static func each(_ column: String, in dialect: any SQLDialect) -> SQLFragment {
        SQLFragment(unsafeRaw: dialect.jsonValues(column))
    }

    /// Element count of a multi-value column (`''`/NULL count as 0, a scalar as 1).
    static func arrayLength(_ column: String, in dialect: any SQLDialect) -> SQLFragment {
        SQLFragment(unsafeRaw: dialect.jsonValueCount(column))
    }

    /// The value at `path` of a JSON column; `path` is a validated JSON path suffix made of `.key` and `[n]`
    /// parts with word characters only (empty for the whole value).
    static func extract(_ column: String, path: String, in dialect: any SQLDialect) -> SQLFragment {
        SQLFragment(unsafeRaw: dialect.jsonExtract(column, path: path))
    }

    /// `"alias"."column"`.
    static func column(_ alias: String, _ name: String) -> String {
        quoteIdentifier(alias) + "." + quoteIdentifier(name)
    }
}
