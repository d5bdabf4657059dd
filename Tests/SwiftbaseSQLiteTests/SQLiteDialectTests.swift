import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// `SQLiteDialect` writes what the core wrote before the dialect was split out of it, and every member does on
/// a real store what `SQLDialect` promises: a wrong fragment fails here, not in a filter three layers up.
@Suite("SQLite dialect", .timeLimit(.minutes(1)))
struct SQLiteDialectTests {
    let dialect = SQLiteDialect()

    // MARK: - The text the core used to write

    @Test func fragmentsAreTheTextTheCoreUsedToWrite() {
        let column = #""posts"."tags""#
        #expect(
            dialect.jsonArrayElements(column)
                == #"json_each(CASE WHEN json_valid("posts"."tags") THEN "posts"."tags" ELSE '[]' END)"#)
        #expect(
            dialect.jsonValues(column)
                == #"json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE)"#
                + #" THEN "posts"."tags" ELSE json_array("posts"."tags") END)"#)
        #expect(
            dialect.jsonArrayElements(ofBoundText: "[]")
                == SQLFragment(unsafeRaw: "json_each(?)", arguments: [.text("[]")]))
        #expect(
            dialect.jsonExtract(#""posts"."data""#, path: ".a[0]")
                == #"(CASE WHEN json_valid("posts"."data") THEN JSON_EXTRACT("posts"."data", '$.a[0]')"#
                + #" ELSE JSON_EXTRACT(json_object('pb', "posts"."data"), '$.pb.a[0]') END)"#)
        #expect(dialect.caseInsensitiveEquals(#""email""#, "?") == #""email" = ? COLLATE NOCASE"#)
        #expect(dialect.unindexedTable(#""posts""#) == #""posts" NOT INDEXED"#)
        #expect(dialect.storedTable(#""posts""#) == #"main."posts""#)
        #expect(dialect.columnsQuery(of: "v").sql == #"PRAGMA table_info("v")"#)
        let format = SQLFragment.bind(.text("%Y"))
        #expect(
            dialect.formatDate(format, time: nil, modifiers: [])
                == SQLFragment(unsafeRaw: "strftime(?)", arguments: [.text("%Y")]))
        #expect(
            dialect.formatDate(
                format, time: SQLFragment(unsafeRaw: #""posts"."created""#), modifiers: [.bind(.text("+1 day"))])
                == SQLFragment(
                    unsafeRaw: #"strftime(?,"posts"."created",?)"#, arguments: [.text("%Y"), .text("+1 day")]))
    }

    @Test func theCoreBuildsTodaysTablesWithIt() {
        let id = FieldModel(name: "id", options: .text(TextFieldOptions(primaryKey: true)))
        #expect(
            id.options.behavior.columnDefinition(for: id, in: dialect)
                == "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL")
        let statements = SystemTables.statements(in: dialect)
        #expect(
            statements.contains(
                #"CREATE UNIQUE INDEX IF NOT EXISTS "_collections_name_idx" ON "_collections" ("name" COLLATE NOCASE)"#)
        )
        #expect(statements.filter { $0.contains(#""seq" INTEGER PRIMARY KEY AUTOINCREMENT,"#) }.count == 3)
        #expect(ChangeLog.createTableSQL(in: dialect).contains(#""seq" INTEGER PRIMARY KEY AUTOINCREMENT,"#))
    }

    // MARK: - JSON arrays on a real store

    @Test func jsonArrayElementsReadArraysAndSkipWhatIsNotJSON() async throws {
        let fixture = try await StoreFixture("dialect-elements")
        defer { fixture.remove() }
        let store = fixture.store
        let arrays = dialect.jsonArrayElements(_:)
        #expect(
            try await elements(arrays, of: .text(#"["a","b",3]"#), on: store) == [.text("a"), .text("b"), .integer(3)])
        #expect(try await elements(arrays, of: .text(#""x""#), on: store) == [.text("x")])
        #expect(try await elements(arrays, of: .text("not json"), on: store) == [])
        #expect(try await elements(arrays, of: .null, on: store) == [])
        // As the record service asks: does the array hold a value?
        let holds = try await store.read { conn in
            try conn.rows(
                SQLFragment(
                    unsafeRaw: #"SELECT EXISTS (SELECT 1 FROM "#
                        + dialect.jsonArrayElements(#""t"."c""#) + #" WHERE value = ?) FROM (SELECT ? AS "c") AS "t""#,
                    arguments: [.text("b"), .text(#"["a","b"]"#)]))
        }
        #expect(holds.first?.values.first == .integer(1))
    }

    /// Whatever `jsonEmbedded` decided for this SQLite (the subquery as it is, or read again with `json()`),
    /// nested objects and arrays come out as JSON — never as quoted text — exactly as the explicit `json()`
    /// re-read gives them.
    @Test func embeddedSubqueriesStayJSON() async throws {
        let fixture = try await StoreFixture("dialect-embedded")
        defer { fixture.remove() }
        func statement(_ embed: (SQLFragment) -> SQLFragment) -> SQLFragment {
            let one = SQLFragment(unsafeRaw: "(SELECT json_object('b', y) FROM (SELECT ? AS y) AS t LIMIT 1)", arguments: [.integer(1)])
            let many =
                SQLFragment(unsafeRaw: "(SELECT CASE WHEN COUNT(*) > 5 THEN \(dialect.jsonUnrenderableValue) ELSE ")
                + dialect.jsonArrayAggregate(of: SQLFragment(unsafeRaw: "json_object('d', x)"))
                + SQLFragment(unsafeRaw: " END FROM (SELECT 2 AS x UNION ALL SELECT 3) AS u)")
            let none = SQLFragment(unsafeRaw: "(SELECT json_object('h', 4) WHERE 0)")
            return SQLFragment(unsafeRaw: "SELECT ")
                + dialect.jsonObject([("a", embed(one)), ("c", embed(many)), ("g", embed(none))])
        }
        let reread = { (e: SQLFragment) in SQLFragment(unsafeRaw: "json(") + e + SQLFragment(unsafeRaw: ")") }
        let (embeddedQuery, explicitQuery) = (statement(dialect.jsonEmbedded), statement(reread))
        let embedded = try await fixture.store.read { conn in try conn.rows(embeddedQuery) }
        let explicit = try await fixture.store.read { conn in try conn.rows(explicitQuery) }
        #expect(embedded.first?.values.first == .text(#"{"a":{"b":1},"c":[{"d":2},{"d":3}],"g":null}"#))
        #expect(embedded.first?.values.first == explicit.first?.values.first)
    }

    @Test func jsonValuesReadASingleValueAsAList() async throws {
        let fixture = try await StoreFixture("dialect-values")
        defer { fixture.remove() }
        let store = fixture.store
        #expect(
            try await elements(dialect.jsonValues, of: .text(#"["a","b"]"#), on: store) == [.text("a"), .text("b")])
        #expect(try await elements(dialect.jsonValues, of: .text("plain"), on: store) == [.text("plain")])
        #expect(try await elements(dialect.jsonValues, of: .text(""), on: store) == [.text("")])
        #expect(try await elements(dialect.jsonValues, of: .null, on: store) == [.null])
    }

    @Test func jsonArrayElementsOfBoundTextAreRows() async throws {
        let fixture = try await StoreFixture("dialect-bound")
        defer { fixture.remove() }
        let query =
            SQLFragment(unsafeRaw: #"SELECT "e"."value" FROM "#) + dialect.jsonArrayElements(ofBoundText: #"["x","y"]"#)
            + SQLFragment(unsafeRaw: #" "e""#)
        let rows = try await fixture.store.read { conn in try conn.rows(query) }
        #expect(rows.map { $0.values[0] } == [.text("x"), .text("y")])
    }

    @Test(arguments: [
        (SQLValue.text(#"["a","b","c"]"#), Int64(3)), (.text("[]"), 0), (.text(""), 0), (.null, 0), (.text("plain"), 1),
        (.text(#""s""#), 1),
    ])
    func jsonValueCountCountsWhatJSONValuesReads(stored: SQLValue, count: Int64) async throws {
        let fixture = try await StoreFixture("dialect-count")
        defer { fixture.remove() }
        #expect(
            try await scalar(dialect.jsonValueCount(#""t"."c""#), over: stored, on: fixture.store) == .integer(count))
    }

    @Test(arguments: [
        (SQLValue.text(#"{"a":{"b":[1,"two"]}}"#), ".a.b[1]", SQLValue.text("two")),
        (.text(#"{"a":{"b":[1,"two"]}}"#), ".a.b[0]", .integer(1)),
        (.text(#"{"a":{"b":[1,"two"]}}"#), ".a", .text(#"{"b":[1,"two"]}"#)),
        (.text(#"{"a":1}"#), ".missing", .null),
        (.text("5"), "", .integer(5)),
        (.text("plain"), "", .text("plain")),
        (.text("plain"), ".a", .null),
    ])
    func jsonExtractReadsAPathAndTakesOtherTextAsAString(stored: SQLValue, path: String, expected: SQLValue)
        async throws
    {
        let fixture = try await StoreFixture("dialect-extract")
        defer { fixture.remove() }
        #expect(
            try await scalar(dialect.jsonExtract(#""t"."c""#, path: path), over: stored, on: fixture.store) == expected)
    }

    // MARK: - Text comparison and dates on a real store

    @Test func caseInsensitiveComparisonsFoldASCIILetters() async throws {
        let fixture = try await StoreFixture("dialect-nocase")
        defer { fixture.remove() }
        let store = fixture.store
        let equals = dialect.caseInsensitiveEquals(#""t"."c""#, "?")
        let matches = try await store.read { conn in
            try conn.rows(
                SQLFragment(
                    unsafeRaw: #"SELECT 1 FROM (SELECT ? AS "c") AS "t" WHERE "# + equals,
                    arguments: [.text("Ann@Example.com"), .text("ann@example.COM")]))
        }
        #expect(matches.count == 1)
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE TABLE "people" ("name" TEXT NOT NULL)"#))
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"CREATE UNIQUE INDEX "people_name" ON "people" ("#
                        + dialect.caseInsensitiveIndexKey(#""name""#) + ")"))
            try conn.execute(SQLFragment(unsafeRaw: #"INSERT INTO "people" VALUES ('Ann')"#))
        }
        await #expect(throws: StoreConstraintError.self) {
            try await store.write { conn in
                try conn.execute(SQLFragment(unsafeRaw: #"INSERT INTO "people" VALUES ('aNN')"#))
            }
        }
    }

    @Test func formatDateFormatsTimeValuesWithModifiers() async throws {
        let fixture = try await StoreFixture("dialect-dates")
        defer { fixture.remove() }
        let store = fixture.store
        let month = dialect.formatDate(
            .bind(.text("%Y-%m-%d")), time: .bind(.text("2024-01-31 10:00:00.000Z")),
            modifiers: [.bind(.text("start of month")), .bind(.text("+1 day"))])
        let now = dialect.formatDate(.bind(.text("%Y")), time: nil, modifiers: [])
        let (formatted, year) = try await store.read { conn in
            (
                try conn.scalar(SQLFragment(unsafeRaw: "SELECT ") + month),
                try conn.scalar(SQLFragment(unsafeRaw: "SELECT ") + now)
            )
        }
        #expect(formatted == .text("2024-01-02"))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = try #require(TimeZone(identifier: "UTC"))
        #expect(year == .text(String(utc.component(.year, from: Date()))))
    }

    // MARK: - Geography on a real store

    @Test func geoDistanceIsPocketBasesExpression() {
        #expect(
            dialect.geoDistance(
                lonA: SQLFragment(unsafeRaw: "a.lon"), latA: SQLFragment(unsafeRaw: "a.lat"), lonB: .bind(.real(1)),
                latB: .bind(.real(2)))
                == SQLFragment(
                    unsafeRaw: "(6371 * acos(cos(radians(a.lat)) * cos(radians(?)) * cos(radians(?) - radians(a.lon))"
                        + " + sin(radians(a.lat)) * sin(radians(?))))",
                    arguments: [.real(2), .real(1), .real(2)]))
    }

    /// The linked SQLite has the math functions, and gives PocketBase's distances.
    @Test func geoDistanceMeasuresKilometres() async throws {
        let fixture = try await StoreFixture("dialect-geo")
        defer { fixture.remove() }
        func distance(_ lonA: SQLValue, _ latA: SQLValue, _ lonB: SQLValue, _ latB: SQLValue) async throws
            -> SQLValue?
        {
            let sql = dialect.geoDistance(lonA: .bind(lonA), latA: .bind(latA), lonB: .bind(lonB), latB: .bind(latB))
            return try await fixture.store.read { conn in try conn.scalar(SQLFragment(unsafeRaw: "SELECT ") + sql) }
        }
        // Sofia to Plovdiv, and to London.
        let plovdiv = try #require(try await distance(.real(23.3219), .real(42.6977), .real(24.7453), .real(42.1354)))
        #expect(abs((plovdiv.doubleValue ?? 0) - 132.522) < 0.001)
        let london = try #require(try await distance(.real(23.3219), .real(42.6977), .real(-0.1276), .real(51.5072)))
        #expect(abs((london.doubleValue ?? 0) - 2014.517) < 0.001)
        #expect(try await distance(.integer(0), .integer(0), .integer(0), .integer(0)) == .real(0))
        #expect(try await distance(.null, .real(1), .real(2), .real(3)) == .null)
        #expect(try await distance(.text("Sofia"), .real(1), .real(2), .real(3)) == .null)
        // Text that is a number counts as the number.
        #expect(try await distance(.text("0"), .text("0"), .real(0), .real(0)) == .real(0))
    }

    // MARK: - Tables on a real store

    @Test func autoincrementKeysGrowAndAreNeverReused() async throws {
        let fixture = try await StoreFixture("dialect-autoincrement")
        defer { fixture.remove() }
        let insert = SQLFragment(unsafeRaw: #"INSERT INTO "log" ("v") VALUES ('x') RETURNING "seq""#)
        let seqs = try await fixture.store.write { conn in
            try conn.execute(
                SQLFragment(unsafeRaw: #"CREATE TABLE "log" ("seq" \#(dialect.autoincrementPrimaryKey), "v" TEXT)"#))
            let first = try conn.scalar(insert)
            let second = try conn.scalar(insert)
            try conn.execute(
                SQLFragment(unsafeRaw: #"DELETE FROM "log" WHERE "seq" = ?"#, arguments: [second ?? .null]))
            return [first, second, try conn.scalar(insert)]
        }
        #expect(seqs == [.integer(1), .integer(2), .integer(3)])
    }

    @Test func randomRecordIDsLookLikePocketBaseIDs() async throws {
        let fixture = try await StoreFixture("dialect-random-id")
        defer { fixture.remove() }
        let ids = try await fixture.store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw:
                        #"CREATE TABLE "items" ("id" TEXT PRIMARY KEY DEFAULT (\#(dialect.randomRecordID)) NOT NULL, "v" TEXT)"#
                ))
            for _ in 0..<20 { try conn.execute(SQLFragment(unsafeRaw: #"INSERT INTO "items" ("v") VALUES ('x')"#)) }
            return try conn.rows(SQLFragment(unsafeRaw: #"SELECT "id" FROM "items""#)).compactMap {
                $0.values[0].textValue
            }
        }
        #expect(ids.count == 20)
        #expect(ids.allSatisfy { $0.wholeMatch(of: /r[0-9a-f]{14}/) != nil })
    }

    @Test func rowOrderIsInsertionOrderAndUnindexedTablesCountTheSame() async throws {
        let fixture = try await StoreFixture("dialect-row-order")
        defer { fixture.remove() }
        let order = #""items"."# + "\"\(dialect.rowOrderColumn)\""
        let (ordered, unqualified, indexed, scanned, plan) = try await fixture.store.write { conn in
            try conn.execute(
                SQLFragment(unsafeRaw: #"CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "n" INTEGER)"#))
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE INDEX "items_n" ON "items" ("n")"#))
            for (id, n) in [("c", 1), ("a", 2), ("b", 1)] {
                try conn.execute(
                    SQLFragment(
                        unsafeRaw: #"INSERT INTO "items" VALUES (?, ?)"#, arguments: [.text(id), .integer(Int64(n))]))
            }
            let where1 = #" WHERE "n" = 1"#
            return (
                try conn.rows(SQLFragment(unsafeRaw: #"SELECT "id" FROM "items" ORDER BY "# + order)),
                try conn.rows(
                    SQLFragment(
                        unsafeRaw: #"SELECT "id" FROM "items" ORDER BY "# + "\"\(dialect.rowOrderColumn)\" DESC")),
                try conn.scalar(SQLFragment(unsafeRaw: #"SELECT COUNT(*) FROM "items""# + where1)),
                try conn.scalar(
                    SQLFragment(unsafeRaw: "SELECT COUNT(*) FROM " + dialect.unindexedTable(#""items""#) + where1)),
                try conn.rows(
                    SQLFragment(
                        unsafeRaw: "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM " + dialect.unindexedTable(#""items""#)
                            + where1))
            )
        }
        #expect(ordered.map { $0.values[0] } == [.text("c"), .text("a"), .text("b")])
        #expect(unqualified.map { $0.values[0] } == [.text("b"), .text("a"), .text("c")])
        #expect(indexed == .integer(2) && scanned == .integer(2))
        let details = plan.compactMap { $0["detail"]?.textValue }
        #expect(!details.isEmpty && !details.contains { $0.contains("INDEX") })
        // `_collections` are listed as they were created.
        let names = try await fixture.store.read { conn in try CollectionRepository.loadAll(on: conn).map(\.name) }
        #expect(names == ["_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers", "users"])
    }

    @Test func reservedTableNamesAreTheOnesSQLiteRefuses() async throws {
        #expect(dialect.isReservedTableName("sqlite_stat1") && dialect.isReservedTableName("SQLite_Mine"))
        #expect(!dialect.isReservedTableName("sqlitex") && !dialect.isReservedTableName("posts"))
        let fixture = try await StoreFixture("dialect-reserved")
        defer { fixture.remove() }
        await #expect(throws: (any Error).self) {
            try await fixture.store.write { conn in
                try conn.execute(SQLFragment(unsafeRaw: #"CREATE TABLE "SQLite_Mine" ("v" TEXT)"#))
            }
        }
    }

    // MARK: - Catalogue on a real store

    @Test func catalogueQueriesDescribeTablesAndViews() async throws {
        let fixture = try await StoreFixture("dialect-catalogue")
        defer { fixture.remove() }
        let store = fixture.store
        let (tableColumns, viewColumns, kinds) = try await store.write { conn in
            try conn.execute(
                SQLFragment(unsafeRaw: #"CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "n" NUMERIC)"#))
            try conn.execute(
                SQLFragment(unsafeRaw: #"CREATE VIEW "totals" AS SELECT "id", "n" * 2 AS "twice" FROM "items""#))
            let columns = { (name: String) throws -> [[String]] in
                try conn.rows(dialect.columnsQuery(of: name)).map {
                    [$0["name"]?.textValue ?? "?", $0["type"]?.textValue ?? "?"]
                }
            }
            let kinds = try ["items", "totals", "missing", "ITEMS"].map {
                try conn.scalar(dialect.relationKindQuery(of: $0))
            }
            return (try columns("items"), try columns("totals"), kinds)
        }
        #expect(tableColumns == [["id", "TEXT"], ["n", "NUMERIC"]])
        #expect(viewColumns == [["id", "TEXT"], ["twice", ""]])
        #expect(kinds == [.text("table"), .text("view"), nil, nil])
        // SQLite creates a view over a missing table; reading its columns is what fails.
        try await store.write { conn in
            try conn.execute(SQLFragment(unsafeRaw: #"CREATE VIEW "broken" AS SELECT * FROM "nowhere""#))
        }
        await #expect(throws: (any Error).self) {
            try await store.read { conn in _ = try conn.rows(dialect.columnsQuery(of: "broken")) }
        }
    }

    // MARK: - Helpers

    /// The `value`s of the rows `expression` makes of a column holding `stored`, joined as the filter joins them.
    private func elements(_ expression: (String) -> String, of stored: SQLValue, on store: SQLiteStore) async throws
        -> [SQLValue]
    {
        let query = SQLFragment(
            unsafeRaw: #"SELECT "e"."value" FROM (SELECT ? AS "c") AS "t" JOIN "# + expression(#""t"."c""#) + #" "e""#,
            arguments: [stored])
        return try await store.read { conn in try conn.rows(query).map { $0.values[0] } }
    }

    /// `expression` over a column `"t"."c"` holding `stored`.
    private func scalar(_ expression: String, over stored: SQLValue, on store: SQLiteStore) async throws -> SQLValue? {
        let query = SQLFragment(
            unsafeRaw: "SELECT \(expression) FROM (SELECT ? AS \"c\") AS \"t\"", arguments: [stored])
        return try await store.read { conn in try conn.scalar(query) }
    }
}
