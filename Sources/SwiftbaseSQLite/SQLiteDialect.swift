internal import GRDB
public import SwiftbaseCore

/// SQLite's spelling of what the core needs, as PocketBase writes it, so filters, rules and tables behave as
/// they do in PocketBase.
///
/// The text is what the core wrote before the dialect was split out of it, so statements and query plans
/// are unchanged; `SQLiteDialectTests` runs every member against a real store.
public struct SQLiteDialect: SQLDialect {
    public init() {}

    // MARK: - JSON arrays

    /// `json_each` over the column when it is valid JSON, else over an empty array.
    public func jsonArrayElements(_ column: String) -> String {
        "json_each(CASE WHEN json_valid(\(column)) THEN \(column) ELSE '[]' END)"
    }

    /// PocketBase's reading of a multi-value column: an array as it is, anything else wrapped by `json_array`.
    public func jsonValues(_ column: String) -> String {
        "json_each(CASE WHEN iif(json_valid(\(column)), json_type(\(column))='array', FALSE) THEN \(column)"
            + " ELSE json_array(\(column)) END)"
    }

    public func jsonArrayElements(ofBoundText json: String) -> SQLFragment {
        SQLFragment(unsafeRaw: "json_each(?)", arguments: [.text(json)])
    }

    public func jsonValueCount(_ column: String) -> String {
        "json_array_length(CASE WHEN iif(json_valid(\(column)), json_type(\(column))='array', FALSE)"
            + " THEN \(column) ELSE (CASE WHEN \(column) = '' OR \(column) IS NULL THEN json_array()"
            + " ELSE json_array(\(column)) END) END)"
    }

    /// Text that is not JSON is wrapped as the value of a `pb` key, so the same path reaches it as a string.
    public func jsonExtract(_ column: String, path: String) -> String {
        "(CASE WHEN json_valid(\(column)) THEN JSON_EXTRACT(\(column), '$\(path)')"
            + " ELSE JSON_EXTRACT(json_object('pb', \(column)), '$.pb\(path)') END)"
    }

    // MARK: - Building JSON

    public func jsonObject(_ members: [(key: String, value: SQLFragment)]) -> SQLFragment {
        var out = SQLFragment(unsafeRaw: "json_object(")
        for (index, member) in members.enumerated() {
            out += SQLFragment(unsafeRaw: index == 0 ? "?, " : ", ?, ", arguments: [.text(member.key)])
            out += member.value
        }
        return out + SQLFragment(unsafeRaw: ")")
    }

    public func jsonArrayAggregate(_ element: String) -> String {
        "json_group_array(json(\(element)))"
    }

    public func jsonArrayAggregate(of element: SQLFragment) -> SQLFragment {
        SQLFragment(unsafeRaw: "json_group_array(") + element + SQLFragment(unsafeRaw: ")")
    }

    public var jsonUnrenderableValue: String { "json_quote(char(1))" }

    /// The scalar subquery as it is when this SQLite keeps its value's JSON subtype (``keepsSubqueryJSON``),
    /// else read again as JSON by `json()` — which re-parses every nested object and array once per level.
    public func jsonEmbedded(_ expression: SQLFragment) -> SQLFragment {
        if Self.keepsSubqueryJSON { return expression }
        return SQLFragment(unsafeRaw: "json(") + expression + SQLFragment(unsafeRaw: ")")
    }

    /// Whether a scalar subquery's JSON value (an object, an aggregate's array, either through `CASE`) still
    /// reads as JSON, not as text, in the JSON function it is passed to. SQLite keeps a value's subtype only
    /// as far as each version's code generation happens to carry it, and documents no promise across a
    /// subquery, so it is probed once on an in-memory database with the shapes `RecordProjectionCompiler`
    /// embeds; a SQLite that answers otherwise (or fails) gets the `json()` re-read.
    static let keepsSubqueryJSON: Bool = {
        let probe = """
            SELECT json_object(
              'a', (SELECT json_object('b', y) FROM (SELECT 1 AS y) AS t WHERE t.y = 1 LIMIT 1),
              'c', (SELECT CASE WHEN COUNT(*) > 5 THEN json_quote(char(1)) ELSE json_group_array(json_object('d', x)) END
                    FROM (SELECT 2 AS x) AS u WHERE u.x = 2),
              'e', (SELECT json_group_array(json(j)) FROM (SELECT json_object('f', 3) AS j)),
              'g', (SELECT json_object('h', 4) WHERE 0))
            """
        let answer = try? DatabaseQueue().read { db in try String.fetchOne(db, sql: probe) }
        return answer == #"{"a":{"b":1},"c":[{"d":2}],"e":[{"f":3}],"g":null}"#
    }()

    /// Integers within ±2^53 (and reals equal to one) print as `writeNumber` prints them; anything else is
    /// the marker.
    public func jsonRendered(_ column: String, as kind: JSONColumnKind) -> String {
        switch kind {
        case .text:
            "(CASE WHEN typeof(\(column)) = 'text' THEN \(column) WHEN \(column) IS NULL THEN '' ELSE char(1) END)"
        case .number:
            "(CASE WHEN typeof(\(column)) = 'integer' AND abs(\(column)) < 9007199254740992 THEN \(column)"
                + " WHEN typeof(\(column)) = 'real' AND abs(\(column)) < 9007199254740992"
                + " AND \(column) = CAST(\(column) AS INTEGER) THEN CAST(\(column) AS INTEGER)"
                + " WHEN \(column) IS NULL THEN 0 ELSE char(1) END)"
        case .bool:
            "(CASE WHEN \(truthy(column)) THEN json('true') ELSE json('false') END)"
        }
    }

    public func truthy(_ column: String) -> String {
        "(CASE WHEN typeof(\(column)) IN ('integer', 'real') THEN \(column) != 0"
            + " WHEN typeof(\(column)) = 'text' THEN (\(column) = '1' OR lower(\(column)) = 'true') ELSE 0 END)"
    }

    public func jsonLiteral(_ json: String) -> String {
        "json('\(json)')"
    }

    // MARK: - Text comparison

    /// `NOCASE` folds ASCII letters only, as the dialect promises.
    public func caseInsensitiveEquals(_ left: String, _ right: String) -> String {
        "\(left) = \(right) COLLATE NOCASE"
    }

    public func caseInsensitiveIndexKey(_ column: String) -> String {
        "\(column) COLLATE NOCASE"
    }

    // MARK: - Dates

    public func formatDate(_ format: SQLFragment, time: SQLFragment?, modifiers: [SQLFragment]) -> SQLFragment {
        let arguments = [format] + (time.map { [$0] } ?? []) + modifiers
        return SQLFragment(unsafeRaw: "strftime(") + SQLFragment.join(arguments, separator: ",")
            + SQLFragment(unsafeRaw: ")")
    }

    // MARK: - Geography

    /// PocketBase's expression, on SQLite's math functions (built in since 3.35 unless compiled out; the
    /// dialect tests run it on the linked library). `acos` of a value past 1 is NULL.
    public func geoDistance(lonA: SQLFragment, latA: SQLFragment, lonB: SQLFragment, latB: SQLFragment)
        -> SQLFragment
    {
        func raw(_ text: String) -> SQLFragment { SQLFragment(unsafeRaw: text) }
        return raw("(6371 * acos(cos(radians(") + latA + raw(")) * cos(radians(") + latB + raw(")) * cos(radians(")
            + lonB + raw(") - radians(") + lonA + raw(")) + sin(radians(") + latA + raw(")) * sin(radians(") + latB
            + raw("))))")
    }

    // MARK: - Tables

    /// `AUTOINCREMENT` keeps SQLite from reusing the largest `seq` after the newest rows are pruned.
    public var autoincrementPrimaryKey: String { "INTEGER PRIMARY KEY AUTOINCREMENT" }

    /// PocketBase's own default expression for `id`.
    public var randomRecordID: String { "'r'||lower(hex(randomblob(7)))" }

    /// SQLite's alias of every (non-`WITHOUT ROWID`) table's rowid, which grows with each insert.
    public var rowOrderColumn: String { "_rowid_" }

    public func storedTable(_ table: String) -> String {
        "main.\(table)"
    }

    public func unindexedTable(_ table: String) -> String {
        "\(table) NOT INDEXED"
    }

    /// SQLite refuses to create tables named `sqlite_…` in any case.
    public func isReservedTableName(_ name: String) -> Bool {
        name.lowercased().hasPrefix("sqlite_")
    }

    // MARK: - Catalogue

    /// `PRAGMA table_info`: rows of `cid, name, type, notnull, dflt_value, pk`. On a view it compiles the
    /// view's SELECT, so a view over a missing table or column fails here.
    public func columnsQuery(of name: String) -> SQLFragment {
        SQLFragment(unsafeRaw: "PRAGMA table_info(\(quoteIdentifier(name)))")
    }

    public func relationKindQuery(of name: String) -> SQLFragment {
        SQLFragment(
            unsafeRaw: "SELECT type FROM sqlite_master WHERE name = ? AND type IN ('view', 'table')",
            arguments: [.text(name)])
    }
}
