/// Names of PocketBase's filter language that are spelled like SQLite's own words, because PocketBase passes
/// them through to SQLite (its date function, its row id). Here they are API names, not SQL: what they
/// compile to comes from the store's ``SQLDialect``. `scripts/check-layering` skips this one file when it looks for SQLite-only SQL in the core,
/// so nothing but these names belongs here.
enum FilterKeywords {
    /// The date formatting function, `strftime(format [, timeValue [, modifier…]])`
    /// (``SQLDialect/formatDate(_:time:modifiers:)``).
    static let dateFormatFunction = "strftime"

    /// The sort key that orders rows as they were inserted (``SQLDialect/rowOrderColumn``).
    static let rowOrderSortKey = "@rowid"
}
