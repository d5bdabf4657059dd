import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

/// Reading, validating and storing `geoPoint` values. Every reading below was observed on PocketBase 0.40.6
/// (a record created with the value, read back).
@Suite struct GeoPointFieldTests {
    let field = makeField(.geoPoint(GeoPointFieldOptions()), name: "loc")

    static func point(_ lon: Double, _ lat: Double) -> JSONValue { ["lon": .number(lon), "lat": .number(lat)] }

    static let objects: [(JSONValue, JSONValue)] = [
        (["lon": 23.32, "lat": 42.69], point(23.32, 42.69)),
        (["lat": 6], point(0, 6)),
        (["lon": 5, "lat": 6, "x": 1], point(5, 6)),
        (["lon": 1, "lat": 2, "lon2": ["a": 1]], point(1, 2)),
        (["Lon": 5, "LAT": 6], point(0, 0)),
        (["lon": .null, "lat": 2], point(0, 2)),
        ([:], point(0, 0)),
        (.null, point(0, 0)),
        ("", point(0, 0)),
        (5, point(0, 0)),
        (true, point(0, 0)),
        ([1, 2], point(0, 0)),
        // A wrongly typed coordinate stops the decoder: keys are taken in sorted order, `lat` before `lon`.
        (["lon": "5", "lat": 6], point(0, 6)),
        (["lon": 5, "lat": "6"], point(0, 0)),
        (["lon": true, "lat": 2], point(0, 2)),
    ]

    @Test(arguments: objects)
    func readsValues(raw: JSONValue, expected: JSONValue) {
        #expect(field.prepare(raw) == expected)
    }

    static let texts: [(String, JSONValue)] = [
        (#"{"lon":5,"lat":6}"#, point(5, 6)),
        (#"{"lon":5}"#, point(5, 0)),
        (#" {"lon":1,"lat":2} "#, point(1, 2)),
        ("{\"lat\":1,\t\n\"lon\":2}", point(2, 1)),
        (#"{"l\u006fn":4,"lat":2}"#, point(4, 2)),
        (#"{"lon":1.5e2,"lat":-0.0000001}"#, point(150, -1e-7)),
        (#"{"lat":0.1e1,"lon":2}"#, point(2, 1)),
        (#"{"lat":1.5e+1,"lon":2}"#, point(2, 15)),
        (#"{"lat":1e-400,"lon":5}"#, point(5, 0)),
        (#"{"x":[1,{"a":2}],"lon":1}"#, point(1, 0)),
        (#"{"x":"\ud83d\ude00","lat":2}"#, point(0, 2)),
        (#"{"x":"\/","lat":1}"#, point(0, 1)),
        (#"{"":1,"lat":1}"#, point(0, 1)),
        ("null", point(0, 0)),
        (" null x", point(0, 0)),
        ("  ", point(0, 0)),
        ("abc", point(0, 0)),
        ("[]", point(0, 0)),
        // Whatever was read before the first problem stays.
        (#"{"lat":6,"lon":"5"}"#, point(0, 6)),
        (#"{"lon":"5","lat":6}"#, point(0, 0)),
        (#"{"lon":1,"lon":2}"#, point(1, 0)),
        (#"{"lon":1,"lat":2,"lon":3}"#, point(1, 2)),
        (#"{"lat":2,"":1,"":2,"lon":3}"#, point(0, 2)),
        (#"{"lon":1,"lat":1}{"lat":2}"#, point(1, 1)),
        (#"{"lon":1,"lat":2} x"#, point(1, 2)),
        (#"{"lon":1,"lat":"#, point(1, 0)),
        (#"{"lon":1,"lat":2"#, point(1, 2)),
        (#"{"lon":1,"lat":2,}"#, point(1, 2)),
        (#"{"lon":1 "lat":2}"#, point(1, 0)),
        (#"{"lat":2]"#, point(0, 2)),
        (#"{"lat" 2}"#, point(0, 0)),
        ("{lat:2}", point(0, 0)),
        ("{'lon':1}", point(0, 0)),
        (#"{"lon":01,"lat":2}"#, point(0, 0)),
        (#"{"lat":-01,"lon":2}"#, point(0, -0.0)),
        (#"{"lat":1.5x,"lon":2}"#, point(0, 1.5)),
        (#"{"lat":1x}"#, point(0, 1)),
        (#"{"lat":-,"lon":2}"#, point(0, 0)),
        (#"{"lat":1.,"lon":2}"#, point(0, 0)),
        (#"{"lat":.5,"lon":2}"#, point(0, 0)),
        (#"{"lat":1e,"lon":2}"#, point(0, 0)),
        (#"{"lat":2,"lon":1e999}"#, point(0, 2)),
        (#"{"lon":1,"lat":NaN}"#, point(1, 0)),
        (#"{"lat":tRue}"#, point(0, 0)),
        (#"{"x":tru,"lon":1}"#, point(0, 0)),
        (#"{"x":[1 2],"lat":1}"#, point(0, 0)),
        ("{\"x\":\"a\u{01}b\",\"lat\":2}", point(0, 0)),
        (#"{"x":"\q","lat":2}"#, point(0, 0)),
        (#"{"x":"\u00zz","lat":1}"#, point(0, 0)),
        (#"{"x":"\ud800","lat":2}"#, point(0, 0)),
        (#"{"x":{"a":1,"a":2},"lat":2}"#, point(0, 0)),
        (#"{"lat":2,"lon":3,"lat2":[1,2,}"#, point(3, 2)),
        ("\u{FEFF}{\"lat\":1}", point(0, 0)),
    ]

    @Test(arguments: texts)
    func readsText(text: String, expected: JSONValue) {
        #expect(field.prepare(.string(text)) == expected)
        // A stored column holding the text reads the same.
        #expect(field.behavior.jsonValue(.text(text), for: field) == expected)
    }

    @Test func readsDeeplyNestedTextWithoutRecursing() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(field.prepare(.string(#"{"lat":3,"x":"# + deep)) == Self.point(0, 3))
        let nested = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(field.prepare(.string(#"{"x":"# + nested + #","lat":3}"#)) == Self.point(0, 3))
    }

    @Test func zeroIsEmptyAndRequiredRefusesIt() {
        let required = makeField(.geoPoint(GeoPointFieldOptions()), required: true)
        #expect(required.validate(Self.point(0, 0)) == .required)
        #expect(required.validate(Self.point(-0.0, 0)) == .required)
        #expect(required.code(.null) == "validation_required")
        #expect(required.code("abc") == "validation_required")
        #expect(required.code(Self.point(0, 1)) == nil)
        #expect(field.validate(Self.point(0, 0)) == nil)
        #expect(field.behavior.zeroValue(for: field) == Self.point(0, 0))
    }

    @Test func rangesAreCheckedLatitudeFirst() {
        #expect(field.validate(Self.point(-180, -90)) == nil)
        #expect(field.validate(Self.point(180, 90)) == nil)
        #expect(field.validate(Self.point(1, 91)) == .invalidLatitude)
        #expect(field.validate(Self.point(181, 91))?.code == "validation_invalid_latitude")
        #expect(field.validate(Self.point(180.0000001, 0))?.code == "validation_invalid_longitude")
        #expect(field.validate(Self.point(181, 9))?.message == "Longitude must be between -180 and 180 degrees.")
        #expect(field.validate(Self.point(0, -90.5))?.message == "Latitude must be between -90 and 90 degrees.")
        #expect(field.code(.string(#"{"lat":12345678901234567890123,"lon":2}"#)) == "validation_invalid_latitude")
    }

    @Test func storesPocketBasesText() {
        let behavior = field.behavior
        #expect(behavior.sqlValue(Self.point(23.32, 42.69), for: field) == .text(#"{"lon":23.32,"lat":42.69}"#))
        #expect(behavior.sqlValue(Self.point(150, -1e-7), for: field) == .text(#"{"lon":150,"lat":-1e-7}"#))
        #expect(behavior.sqlValue(Self.point(-0.0, 0), for: field) == .text(#"{"lon":-0,"lat":0}"#))
        #expect(field.roundTrip(Self.point(-180, 89.999999)) == Self.point(-180, 89.999999))
        #expect(behavior.jsonValue(.null, for: field) == Self.point(0, 0))
        #expect(behavior.jsonValue(.integer(5), for: field) == Self.point(0, 0))
        #expect(behavior.jsonValue(.blob(Array(#"{"lon":1,"lat":2}"#.utf8)), for: field) == Self.point(1, 2))
        #expect(
            behavior.columnDefinition(for: field, in: SQLiteDialect()) == #"JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"#)
    }

    @Test func hasNoOptionsAndNoModifiers() throws {
        let decoded = try FieldModel(json: [
            "name": "loc", "type": "geoPoint", "required": true, "hidden": true, "presentable": true, "help": "h",
        ])
        #expect(decoded.options == .geoPoint(GeoPointFieldOptions()))
        #expect(
            decoded.json
                == [
                    "id": "", "name": "loc", "type": "geoPoint", "system": false, "hidden": true, "presentable": true,
                    "required": true, "help": "h",
                ])
        #expect(field.behavior.apply(.append, operand: Self.point(1, 1), to: Self.point(1, 1), for: field) == nil)
        #expect(!field.isMultiple)
    }
}
