/// Compiles PocketBase's `sort` parameter (`-created,title,+author.name`) into ORDER BY terms.
///
/// ```swift
/// let terms = try SortCompiler.compile("-created,author.name", resolver: &resolver)
/// // ["\"posts\".\"created\" DESC", "(SELECT \"posts_author\".\"name\" FROM (SELECT 1) LEFT JOIN … LIMIT 1) ASC"]
/// let orderBy = SQLFragment.join(terms, separator: ", ")
/// ```
///
/// - `-` sorts descending, `+` or nothing ascending; items are comma separated and trimmed.
/// - `@random` is `RANDOM()`; the row-order key (`FilterKeywords.rowOrderSortKey`) is the base table's
///   ``SQLDialect/rowOrderColumn``.
/// - Any resolvable path sorts; a path through joins becomes a scalar subquery (the first related value)
///   so the main query needs no joins. Without hidden-field access a joined collection's listRule applies
///   inside that subquery: a related row the requester could not list sorts as NULL (PocketBase instead
///   drops the whole row from the result).
/// - Request values (`@request.query.x`), `null` and literals cannot be sort keys, nor can hidden fields.
///   Without hidden-field access an auth record's email sorts as empty where its owner hides it: the request
///   answers as PocketBase's does, whose order by the emails themselves would tell hidden ones apart.
/// - At most 8 terms, each at most 255 bytes; violations and unknown fields are 400s.
package enum SortCompiler {
    package static let maxTerms = 8
    package static let maxTermLength = 255

    package static func compile(_ sort: String, resolver: inout RecordFieldResolver) throws(SwiftbaseError)
        -> [SQLFragment]
    {
        if sort.isEmpty { return [] }
        let items = sort.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= maxTerms else { throw .invalidFilter("more than \(maxTerms) sort fields") }
        var terms: [SQLFragment] = []
        terms.reserveCapacity(items.count)
        for item in items {
            var name = item.trimmingSpaces()
            var direction = "ASC"
            if name.hasPrefix("-") {
                name.removeFirst()
                direction = "DESC"
            } else if name.hasPrefix("+") {
                name.removeFirst()
            }
            guard name.utf8.count <= maxTermLength else {
                throw .invalidFilter("sort field longer than \(maxTermLength)")
            }
            terms.append(try term(String(name), direction: direction, resolver: &resolver))
        }
        return terms
    }

    private static func term(_ name: String, direction: String, resolver: inout RecordFieldResolver)
        throws(SwiftbaseError) -> SQLFragment
    {
        switch name {
        case "@random":
            return SQLFragment(unsafeRaw: "RANDOM()")
        case FilterKeywords.rowOrderSortKey:
            let column = quoteIdentifier(resolver.dialect.rowOrderColumn)
            return SQLFragment(unsafeRaw: quoteIdentifier(resolver.baseAlias) + "." + column + " " + direction)
        default:
            break
        }
        let operand: ResolvedOperand
        do {
            operand = try resolver.resolve(name)
        } catch  where error.code == .forbidden {
            throw error
        } catch {
            throw .invalidFilter("invalid sort field \(name)")
        }
        let scope = try resolver.takeJoins()
        guard operand.parameters.isEmpty, !operand.isEmptyIdentifier else {
            throw .invalidFilter("invalid sort field \(name)")
        }
        // A value the requester may match only where its owner shows it (an auth record's email) sorts as ''
        // where it is hidden, so the order tells nothing of the hidden values.
        var key = operand.sql
        if let shown = operand.guardCondition {
            key = SQLFragment(unsafeRaw: "(CASE WHEN ") + shown + SQLFragment(unsafeRaw: " THEN ") + operand.sql
                + SQLFragment(unsafeRaw: " ELSE '' END)")
        }
        guard !scope.joins.isEmpty else { return key + SQLFragment(unsafeRaw: " " + direction) }
        var subquery = SQLFragment(unsafeRaw: "(SELECT ") + key + SQLFragment(unsafeRaw: " FROM (SELECT 1)")
        for join in scope.joins { subquery += join.sql }
        if !scope.conditions.isEmpty {
            subquery += SQLFragment(unsafeRaw: " WHERE ") + SQLFragment.join(scope.conditions, separator: " AND ")
        }
        return subquery + SQLFragment(unsafeRaw: " LIMIT 1) " + direction)
    }
}

extension Substring {
    /// Trims ASCII and Unicode whitespace at both ends, as Go's `strings.TrimSpace`.
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
