/// Which of a back-relation's records each parent gets, for a transport whose relations take arguments:
/// GraphQL's array relationships, `comments_via_post(where:, order_by:, limit:, offset:)`, as Hasura has them.
/// Unlike a plain `expand`, whose back-relations share one cap of 1000 records per level, a slice pages each
/// parent's related records on its own: those the view rule and the filter let through, in `sort` order
/// (insertion order breaking ties), from `offset`, at most `limit`.
package struct ExpandSlice: Sendable, Equatable {
    /// A condition already parsed (GraphQL's `where`), ANDed with `filter`.
    package var condition: FilterExpression?
    /// PocketBase filter text.
    package var filter: String
    /// PocketBase sort text (`-created,title`).
    package var sort: String
    /// Records per parent; nil: all of them, with the level capped at 1000 records as `expand` caps it.
    package var limit: Int?
    /// Records per parent to skip first.
    package var offset: Int

    package init(
        condition: FilterExpression? = nil, filter: String = "", sort: String = "", limit: Int? = nil, offset: Int = 0
    ) {
        self.condition = condition
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.offset = offset
    }
}
