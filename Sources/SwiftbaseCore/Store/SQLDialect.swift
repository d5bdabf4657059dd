/// The SQL a store speaks where databases differ: JSON, collation, dates, geography, keys, catalogue queries.
///
/// The core writes standard SQL (SELECT, INSERT, JOIN, EXISTS, CASE, COALESCE, LIKE …) itself and asks its
/// store's dialect for everything else, so it holds no engine's own functions or pragmas. Each store adapter
/// provides one (`SQLiteDialect` beside `SQLiteStore`); the core reaches it through ``Store/dialect``,
/// ``StoreConnection/dialect`` and ``SchemaSnapshot/dialect``.
///
/// Arguments named `column`, `table`, `left`, `right` are SQL expressions the core built from validated,
/// quoted identifiers (`"posts"."tags"`) or a `?` placeholder — never values — and results are SQL text to
/// splice in. Members that bind values take and return ``SQLFragment``. A conforming type is a stateless
/// value: the same input always gives the same text (statement caches key on it).
///
/// ```swift
/// // Posts whose multi-select `tags` holds "swift", on whichever store `store` is.
/// let tags = #""posts"."tags""#
/// let query = SQLFragment(
///     unsafeRaw: #"SELECT "posts".* FROM "posts" WHERE EXISTS (SELECT 1 FROM "#
///         + store.dialect.jsonArrayElements(tags) + " WHERE value = ?)",
///     arguments: [.text("swift")])
/// ```
public protocol SQLDialect: Sendable {
    // MARK: - JSON arrays

    /// A table-valued expression, usable after `FROM` or `JOIN` and optionally followed by an alias, with one
    /// row per element of the JSON array stored in `column`, the element in a column named `value` (SQL text
    /// for a JSON string, a number for a JSON number). A valid JSON scalar gives one row, itself, and a JSON
    /// object one row per member; text that is not valid JSON, and NULL, give no rows.
    func jsonArrayElements(_ column: String) -> String

    /// Like ``jsonArrayElements(_:)``, but what is not a JSON array — a JSON scalar or object, text that is
    /// not JSON, NULL — gives exactly one row whose `value` is the column's value itself: PocketBase reads a
    /// single value as a one-element list (`tags:each`, multi-relation joins).
    func jsonValues(_ column: String) -> String

    /// Rows, as ``jsonArrayElements(_:)`` gives them, of a JSON array passed as bound text (the submitted
    /// values of `@request.body.tags:each`). The result binds `json`.
    func jsonArrayElements(ofBoundText json: String) -> SQLFragment

    /// An integer expression: the number of values ``jsonValues(_:)`` reads in `column`, except that `''` and
    /// NULL count 0 (`tags:length`).
    func jsonValueCount(_ column: String) -> String

    /// The value at `path` inside the JSON stored in `column`, as an SQL value (text, number, NULL; an object
    /// or array as its JSON text), NULL when the path is missing. `path` is empty (the whole value) or made of
    /// `.key` and `[index]` parts with word characters only. Text that is not valid JSON is taken as a JSON
    /// string, so the empty path gives the text itself and any deeper path NULL.
    func jsonExtract(_ column: String, path: String) -> String

    // MARK: - Building JSON

    /// A JSON object built from `members` in order: each key bound, each value an expression the other
    /// JSON-building members answered (nested objects and arrays stay JSON) or a bound value (a JSON string).
    func jsonObject(_ members: [(key: String, value: SQLFragment)]) -> SQLFragment

    /// An aggregate over the rows of a query: the JSON array of `element` (an expression answering JSON
    /// text), in the rows' order; `[]` over no rows.
    func jsonArrayAggregate(_ element: String) -> String

    /// An aggregate: the JSON array of `element`, a JSON-building expression over the aggregated rows themselves
    /// (so its value is still JSON, not text to read again).
    func jsonArrayAggregate(of element: SQLFragment) -> SQLFragment

    /// A JSON value that the answer's text shows as ``jsonUnrenderableMarker`` (the caller then takes its
    /// slower path).
    var jsonUnrenderableValue: String { get }

    /// `expression` (a scalar subquery answering JSON text, or NULL) as a JSON value inside ``jsonObject(_:)``.
    func jsonEmbedded(_ expression: SQLFragment) -> SQLFragment

    /// The JSON the API answers for the value stored in `column`, read as `kind` reads it — or, for a value the
    /// database cannot render exactly as Swiftbase does (a non-integral number, text in a number column), the
    /// string of the one character U+0001, which the caller detects (``jsonUnrenderableMarker``) to answer
    /// another way. Never a different answer.
    func jsonRendered(_ column: String, as kind: JSONColumnKind) -> String

    /// A condition true when the value stored in `column` reads as `true` as a bool field reads it (a nonzero
    /// number, the text `1` or `true` in any case).
    func truthy(_ column: String) -> String

    /// A JSON literal: `null`, `[]`.
    func jsonLiteral(_ json: String) -> String

    // MARK: - Text comparison

    /// A condition true when `left` equals `right` ignoring the case of ASCII letters (identity lookups on a
    /// case-insensitive unique index, the CLI's record lookup).
    func caseInsensitiveEquals(_ left: String, _ right: String) -> String

    /// An index key, for inside `CREATE [UNIQUE] INDEX … (…)`, over `column` compared ignoring the case of
    /// ASCII letters: a unique index on it refuses two values that differ only in case.
    func caseInsensitiveIndexKey(_ column: String) -> String

    // MARK: - Dates

    /// The filter language's date formatting function (`'%Y-%m'` style formats): `format`, then optionally
    /// the time value (a date text, a number of days or `'now'`) and modifiers (`'start of month'`,
    /// `'+1 day'`), with SQLite's semantics — PocketBase hands the call to SQLite as written. No time value
    /// means now. NULL for an invalid time value or modifier.
    func formatDate(_ format: SQLFragment, time: SQLFragment?, modifiers: [SQLFragment]) -> SQLFragment

    // MARK: - Geography

    /// The filter language's `geoDistance`: the great-circle distance in kilometres between the points
    /// (`lonA`, `latA`) and (`lonB`, `latB`), given in degrees, on a sphere of radius 6371 km — PocketBase's
    /// spherical law of cosines (it calls it Haversine), so distances agree with PocketBase's to rounding. NULL
    /// when an argument is NULL or text that is not a number, and where rounding takes the cosine just past 1
    /// (two equal points can give NULL or a few centimetres instead of 0). `latA` and `latB` appear twice in
    /// the result, so values bound in them are bound twice.
    func geoDistance(lonA: SQLFragment, latA: SQLFragment, lonB: SQLFragment, latB: SQLFragment) -> SQLFragment

    // MARK: - Tables

    /// The type and constraints, after the column name, of a system log's key (`_changes.seq`): an integer
    /// primary key that the store assigns on insert (`RETURNING` reads it back), growing and never reused,
    /// even after the newest rows are deleted.
    var autoincrementPrimaryKey: String { get }

    /// An expression for a column `DEFAULT (…)` that gives a new random record id: `r` then 14 lowercase hex
    /// digits. It only guards raw SQL inserts; Swiftbase always supplies the id.
    var randomRecordID: String { get }

    /// The name of the column every collection table has beside its fields, ordering rows as they were
    /// inserted: what the filter language's row-order sort key sorts by, and the order `_collections` are
    /// listed in. Unquoted; a field may not take it as its name.
    var rowOrderColumn: String { get }

    /// `table` (a quoted name) as the stored table itself, qualified by its schema, so it is reached even
    /// inside a query whose `WITH` clause shadows the name with a CTE.
    func storedTable(_ table: String) -> String

    /// `table` (a quoted name) as a `FROM` item that the query planner must read in row order through no
    /// index: a count that scans the whole table can be cheaper than one that walks an index.
    func unindexedTable(_ table: String) -> String

    /// Whether a collection may not be named `name` because the store keeps such names for its own tables
    /// (compared case-insensitively).
    func isReservedTableName(_ name: String) -> Bool

    // MARK: - Catalogue

    /// A query listing the columns of the table or view named `name` (unquoted), in column order, one row
    /// each with at least `name` (the column's name) and `type` (its declared type as text, `''` when it has
    /// none, as for an expression column of a view). Reading a view's columns also fails when the view cannot
    /// be read (it names a missing table or column).
    func columnsQuery(of name: String) -> SQLFragment

    /// A query whose one row's first column is `'view'` or `'table'` for the view or table named `name`
    /// (unquoted, exact), and that has no row when neither exists.
    func relationKindQuery(of name: String) -> SQLFragment
}

/// How ``SQLDialect/jsonRendered(_:as:)`` reads a stored value.
public enum JSONColumnKind: Sendable {
    /// Text as it is; NULL as `""`.
    case text
    /// A number as PocketBase writes it; NULL as `0`.
    case number
    /// `true` or `false`, as ``SQLDialect/truthy(_:)`` reads it.
    case bool
}

extension SQLDialect {
    /// What a value ``SQLDialect/jsonRendered(_:as:)`` could not render looks like in the JSON text: the escaped
    /// U+0001 (a string holding that character looks the same, and is answered the other way too).
    public var jsonUnrenderableMarker: [UInt8] { Array(#"\u0001"#.utf8) }
}
