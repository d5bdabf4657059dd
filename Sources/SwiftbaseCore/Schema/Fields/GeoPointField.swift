/// `geoPoint`: `{"lon": …, "lat": …}` in degrees, stored as that JSON text; (0, 0) when unset.
///
/// Input is never refused as malformed: what ``GeoPoint/init(reading:)`` cannot read becomes 0, as in
/// PocketBase. Validation then refuses (0, 0) when `required`, a latitude outside [-90, 90] and a longitude
/// outside [-180, 180], in that order. Filters reach the coordinates as `location.lon` and `location.lat`.
extension GeoPointFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        self.init()
    }

    package func encode(into json: inout [String: JSONValue]) {}

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        #"JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"#
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { GeoPoint().json }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        GeoPoint(reading: raw).json
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let point = GeoPoint(reading: value)
        if point.isZero { return field.required ? .required : nil }
        if !(-90...90).contains(point.lat) { return .invalidLatitude }
        if !(-180...180).contains(point.lon) { return .invalidLongitude }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(GeoPoint(reading: value).text)
    }

    /// Stored text (or bytes) is read as JSON; anything else is (0, 0), as PocketBase scans it.
    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        switch value {
        case .text(let text): GeoPoint(reading: .string(text)).json
        case .blob(let bytes): GeoPoint(reading: .string(String(decoding: bytes, as: UTF8.self))).json
        case .null, .integer, .real: GeoPoint().json
        }
    }
}
