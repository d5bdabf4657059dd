package import Foundation

/// Resolves filter and sort identifiers against a collection's schema and the current request, the way
/// PocketBase's `RecordFieldResolver` does.
///
/// ## Query-shape contract
/// Every fragment ``FilterCompiler/compile(_:resolver:)`` returns is a **self-contained boolean condition**
/// over the base table, referenced by its name (`"posts"."title"`). When a filter needs related rows
/// (relation paths, back-relations, `@collection.*`, `@request.auth.<joined field>`, `:each`), the
/// compiler wraps the comparisons that use them in
/// `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE …)`, correlated to the outer row. That keeps
/// PocketBase's join semantics exactly (one joined row must satisfy the whole sub-expression; a missing
/// relation joins as NULLs) without joins or deduplication in the main query. So:
/// - ``joins`` is always empty and ``needsDistinct`` always false: build
///   `SELECT "posts".* FROM "posts" WHERE <rule> AND <filter> ORDER BY <sort> LIMIT ? OFFSET ?` and
///   `SELECT COUNT(*) FROM "posts" WHERE …` — no GROUP BY, no DISTINCT.
/// - ``SortCompiler`` terms are self-contained too (scalar subqueries for related fields).
/// - The rule and the client filter are separate `EXISTS` scopes. PocketBase shares one joined row between
///   them; they only differ when both walk the same multi-valued relation.
///
/// ## Using it for a list request
/// ```swift
/// var resolver = RecordFieldResolver(schema: schema, collection: posts, request: info,
///                                    allowHiddenFields: true, allowRequestAndCollectionReferences: true)
/// var conditions: [SQLFragment] = []
/// if !isSuperuser, let rule = try FilterParser.parse(posts.listRule ?? "", limits: .rule) {
///     conditions.append(try FilterCompiler.compile(rule, resolver: &resolver))
/// }
/// resolver.allowHiddenFields = isSuperuser                       // client input from here on
/// resolver.allowRequestAndCollectionReferences = isSuperuser
/// if let filter = try FilterParser.parse(filterParam) {
///     conditions.append(try FilterCompiler.compile(filter, resolver: &resolver))
/// }
/// let orderBy = try SortCompiler.compile(sortParam, resolver: &resolver)
/// ```
/// With `allowHiddenFields == false`, hidden fields are a 400, a hop into a collection whose `listRule` is
/// `nil` is a 400, and a joined collection's non-empty `listRule` must also hold for the joined row.
/// Rules are compiled with `allowHiddenFields == true`. A `nil` ``request`` makes every `@request.*` NULL;
/// a guest's `@request.auth.*` is NULL, so `author = @request.auth.id` matches rows with an empty author.
///
/// A value type: copy it freely; it is not shared between requests. After a thrown error, discard it (joins of
/// the failed compilation may still be pending).
package struct RecordFieldResolver: FieldResolver, Sendable {
    package let schema: SchemaSnapshot
    package let collection: CollectionModel
    package let request: RequestInfo?
    /// Hidden fields, and collections with a `nil` listRule, may be referenced (superusers and rules).
    package var allowHiddenFields: Bool
    /// `@request.*` and `@collection.*` may be referenced; when false they throw PocketBase's 403.
    package var allowRequestAndCollectionReferences: Bool
    package var now: Date

    /// The schema's: its tables live in that store.
    package var dialect: any SQLDialect { schema.dialect }

    /// Always empty: compiled conditions carry their joins inside `EXISTS` (see the type's contract).
    package var joins: [SQLFragment] { [] }
    /// Always false: the main query never needs DISTINCT or GROUP BY (see the type's contract).
    package var needsDistinct: Bool { false }

    /// Alias of the base collection's table (its name, or a join alias when compiling a joined list rule).
    var baseAlias: String
    /// Appended to aliases of a nested list-rule compilation so they never collide with the outer ones.
    var joinAliasSuffix = ""
    var pendingJoins: [FilterJoin] = []
    /// Joined collections whose `listRule` applies to the joined row: (alias, collection name).
    var ruleJoins: [(alias: String, collectionName: String)] = []
    /// Counter for nested list-rule alias suffixes.
    var nestedScopes = 0

    static let maxNestedRelations = 6

    package init(
        schema: SchemaSnapshot, collection: CollectionModel, request: RequestInfo?, allowHiddenFields: Bool,
        allowRequestAndCollectionReferences: Bool, now: Date = Date()
    ) {
        self.schema = schema
        self.collection = collection
        self.request = request
        self.allowHiddenFields = allowHiddenFields
        self.allowRequestAndCollectionReferences = allowRequestAndCollectionReferences
        self.now = now
        self.baseAlias = collection.name
    }

    // MARK: - FieldResolver

    package mutating func resolve(_ identifier: String) throws(SwiftbaseError) -> ResolvedOperand {
        if !allowRequestAndCollectionReferences {
            if identifier.hasPrefix("@collection.") { throw .collectionReferenceForbidden }
            if identifier.hasPrefix("@request.") { throw .requestReferenceForbidden }
        }
        guard IdentifierSyntax.isResolvable(identifier) else {
            throw .invalidFilter("failed to resolve field \(identifier)")
        }
        var state = PathState(identifier: identifier, resolver: self)
        switch state.props[0] {
        case "@collection":
            return try resolveCollectionReference(&state)
        case "@request":
            return try resolveRequestReference(&state, identifier: identifier)
        default:
            return try resolvePath(&state)
        }
    }

    package mutating func takeJoins() throws(SwiftbaseError) -> FilterJoinScope {
        var scope = FilterJoinScope(joins: pendingJoins)
        let rules = ruleJoins
        pendingJoins = []
        ruleJoins = []
        for (alias, collectionName) in rules {
            guard let joined = schema.collection(collectionName), let rule = joined.listRule, !rule.isEmpty else {
                continue
            }
            let (condition, ruleJoins) = try compileListRule(rule, of: joined, alias: alias)
            scope.conditions.append(condition)
            scope.joins.append(contentsOf: ruleJoins)
        }
        return scope
    }

    /// PocketBase's loose pre-check of client `filter`/`sort` text: a non-superuser's text containing
    /// `@collection.` or `@request.` anywhere (even inside a string) is a 403. Run it before parsing.
    package static func checkSuperuserOnlyReferences(in texts: [String]) throws(SwiftbaseError) {
        for marker in ["@collection.", "@request."] where texts.contains(where: { $0.contains(marker) }) {
            throw marker == "@collection." ? .collectionReferenceForbidden : .requestReferenceForbidden
        }
    }

    // MARK: - Joins

    /// Registers (or replaces, by alias) a join. Without hidden-field access a joined collection must be
    /// listable: a `nil` listRule is a 400 and a non-empty one is enforced on the joined row.
    mutating func registerJoin(_ join: FilterJoin) throws(SwiftbaseError) {
        if !allowHiddenFields, let name = join.collectionName, let joined = schema.collection(name) {
            guard joined.listRule != nil else {
                throw .invalidFilter("\(joined.name) fields can be accessed only by superusers")
            }
            if let index = ruleJoins.firstIndex(where: { $0.alias == join.alias }) {
                ruleJoins[index].collectionName = joined.name
            } else {
                ruleJoins.append((join.alias, joined.name))
            }
        }
        if let index = pendingJoins.firstIndex(where: { $0.alias == join.alias }) {
            pendingJoins[index] = join
        } else {
            pendingJoins.append(join)
        }
    }

    /// `id = '' || (<rule>)` evaluated on a joined row, with the rule's own joins. The `id = ''` part keeps
    /// rows whose relation is empty (the join produced NULLs) from being filtered out by the rule.
    private mutating func compileListRule(_ rule: String, of joined: CollectionModel, alias: String)
        throws(SwiftbaseError) -> (SQLFragment, [FilterJoin])
    {
        guard let parsed = try FilterParser.parse(rule, limits: .rule) else {
            return (SQLFragment(unsafeRaw: "1=1"), [])
        }
        nestedScopes += 1
        var nested = RecordFieldResolver(
            schema: schema, collection: joined, request: request, allowHiddenFields: true,
            allowRequestAndCollectionReferences: true, now: now)
        nested.baseAlias = alias
        nested.joinAliasSuffix = joinAliasSuffix + "_r\(nestedScopes)"
        let emptyID = FilterExpression.comparison(FilterComparison(.identifier("id"), .equal, .text("")))
        let condition = try FilterCompiler.compileCondition(.disjunction([emptyID, parsed]), resolver: &nested)
        nestedScopes += nested.nestedScopes
        return (condition.sql, nested.pendingJoins)
    }
}
