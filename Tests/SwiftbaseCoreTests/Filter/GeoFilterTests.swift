import SwiftbaseCore
import Testing

/// `geoPoint` coordinates and `geoDistance` in filters, rules and sorts: the SQL and its bound values, which
/// are PocketBase's (`tools/search/token_functions.go`, the geoPoint branch of its field resolver).
@Suite struct GeoFilterTests {
    /// `(6371 * acos(…))` over four SQL operands, as the SQLite dialect writes it.
    static func distance(_ lonA: String, _ latA: String, _ lonB: String, _ latB: String) -> String {
        "(6371 * acos(cos(radians(\(latA))) * cos(radians(\(latB))) * cos(radians(\(lonB)) - radians(\(lonA)))"
            + " + sin(radians(\(latA))) * sin(radians(\(latB)))))"
    }

    static func extract(_ column: String, _ path: String) -> String {
        "(CASE WHEN json_valid(\(column)) THEN JSON_EXTRACT(\(column), '$\(path)')"
            + " ELSE JSON_EXTRACT(json_object('pb', \(column)), '$.pb\(path)') END)"
    }

    static let lon = extract(#""places"."loc""#, ".lon")
    static let lat = extract(#""places"."loc""#, ".lat")

    /// Alice creating a place at (23.33, 42.7).
    static let request = RequestInfo(
        auth: AuthContext(.record(FilterFixture.alice)), body: ["loc": ["lon": 23.33, "lat": 42.7]], method: "POST")

    static func compile(_ filter: String, in collection: CollectionModel = FilterFixture.places, hidden: Bool = true)
        throws -> SQLFragment
    {
        try FilterFixture.compile(
            filter, FilterFixture.resolver(collection, request: request, hidden: hidden, references: hidden))
    }

    static let cases: [(filter: String, sql: String, arguments: [SQLValue])] = [
        (
            "loc.lat > 42.5 && loc.lon <= -0.5", "(\(lat) > ? AND \(lon) <= ?)", [.real(42.5), .real(-0.5)]
        ),
        // A missing member is NULL, compared with IS (no NULL/'' fallback for JSON values).
        ("loc.x = null", "\(extract(#""places"."loc""#, ".x")) IS NULL", []),
        // The field alone is its stored text.
        (
            #"loc = '{"lon":0,"lat":0}' && loc != ''"#,
            #"("places"."loc" = ? AND ("places"."loc" IS NOT '' AND "places"."loc" IS NOT NULL))"#,
            [.text(#"{"lon":0,"lat":0}"#)]
        ),
        (
            "geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 25",
            "\(distance(lon, lat, "?", "?")) < ?",
            [.real(42.69), .real(23.32), .real(42.69), .real(25)]
        ),
        (
            "25 > geoDistance(loc.lon, loc.lat, name, 1)",
            #"? > "# + distance(lon, lat, #""places"."name""#, "?"), [.real(25), .real(1), .real(1)]
        ),
        // NULL fallback disabled: `= null` is `IS NULL`, `!= ''` a plain `IS NOT`.
        (
            "geoDistance(loc.lon, loc.lat, null, 4) = null && geoDistance(0, 0, 0, 0) != ''",
            "(\(distance(lon, lat, "NULL", "?")) IS NULL AND \(distance("?", "?", "?", "?")) IS NOT ?)",
            [.real(4), .real(4)] + Array(repeating: .real(0), count: 6) + [.text("")]
        ),
        // A rule on the submitted point: every value bound.
        (
            "geoDistance(@request.body.loc.lon, @request.body.loc.lat, 23.32, 42.69) < 25",
            "\(distance("?", "?", "?", "?")) < ?",
            [.real(42.7), .real(42.69), .real(23.32), .real(23.33), .real(42.7), .real(42.69), .real(25)]
        ),
        // The submitted point is bound as its stored text, `lon` first, as PocketBase's `GeoPoint.String()`.
        (
            #"@request.body.loc = loc && @request.body.loc:lower != '' && @request.body.loc:isset = true"#,
            #"(? = "places"."loc" AND LOWER(?) IS NOT '' AND TRUE = 1)"#,
            [.text(#"{"lon":23.33,"lat":42.7}"#), .text(#"{"lon":23.33,"lat":42.7}"#)]
        ),
        (
            "@request.body.loc:changed = false", #"((TRUE = 1 AND ? IS NOT "places"."loc")) IS 0"#,
            [.text(#"{"lon":23.33,"lat":42.7}"#)]
        ),
    ]

    @Test(arguments: cases)
    func compiles(filter: String, sql: String, arguments: [SQLValue]) throws {
        let compiled = try Self.compile(filter)
        #expect(compiled.sql == sql)
        #expect(compiled.arguments == arguments)
        #expect(compiled.placeholderCount == compiled.arguments.count)
    }

    /// Through a multi relation, one stop within reach is enough (no every-value subquery), as in PocketBase.
    @Test func distanceThroughAMultiRelationNeedsOneMatchingValue() throws {
        let compiled = try Self.compile(
            "geoDistance(stops.loc.lon, stops.loc.lat, 23.32, 42.69) < 25", in: FilterFixture.tours)
        let stopLon = Self.extract(#""tours_stops"."loc""#, ".lon")
        let stopLat = Self.extract(#""tours_stops"."loc""#, ".lat")
        #expect(
            compiled.sql
                == #"EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid("tours"."stops"), json_type("tours"."stops")='array', FALSE) THEN "tours"."stops" ELSE json_array("tours"."stops") END) "__je_tours_stops" LEFT JOIN "places" "tours_stops" ON "tours_stops"."id" = "__je_tours_stops"."value" WHERE "#
                + Self.distance(stopLon, stopLat, "?", "?") + " < ?)")
        #expect(compiled.arguments == [.real(42.69), .real(23.32), .real(42.69), .real(25)])
    }

    static let refused: [String] = [
        "geoDistance(loc.lon, loc.lat, 1) < 1", "geoDistance(loc.lon, loc.lat, 'a', 1) < 1",
        "geoDistance(loc.lon, loc.lat, nope, 1) < 1", "geodistance(loc.lon, loc.lat, 1, 2) < 1",
        "geoDistance(loc.lon, loc.lat, geoDistance(1, 2, 3, 4), 4) > 0", "geoDistance(loc.lon, loc.lat, +1, 2) > 0",
        "geoDistance(loc.lon, loc.lat, 1e1, 2) > 0",
    ]

    @Test(arguments: refused)
    func refuses(filter: String) {
        #expect(throws: SwiftbaseError.badRequest()) { try Self.compile(filter) }
    }

    @Test func hiddenPointsAreNotFilterableByClients() throws {
        #expect(throws: SwiftbaseError.badRequest()) { try Self.compile("secretLoc.lat > 1", hidden: false) }
        #expect(throws: SwiftbaseError.badRequest()) {
            try Self.compile("geoDistance(secretLoc.lon, secretLoc.lat, 1, 2) < 1", hidden: false)
        }
        #expect(try Self.compile("secretLoc.lat > 1").sql == Self.extract(#""places"."secretLoc""#, ".lat") + " > ?")
    }

    /// A coordinate sorts; `geoDistance` cannot: the sort is split at every comma, as in PocketBase.
    @Test func sortsByACoordinateButNotByDistance() throws {
        var resolver = FilterFixture.resolver(FilterFixture.places, request: Self.request)
        let terms = try SortCompiler.compile("-loc.lat,loc", resolver: &resolver)
        #expect(terms.map(\.sql) == [Self.lat + " DESC", #""places"."loc" ASC"#])
        #expect(throws: SwiftbaseError.badRequest()) {
            var resolver = FilterFixture.resolver(FilterFixture.places, request: Self.request)
            return try SortCompiler.compile("geoDistance(loc.lon, loc.lat, 23.32, 42.69)", resolver: &resolver)
        }
    }
}
