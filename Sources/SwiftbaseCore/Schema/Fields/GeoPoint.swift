/// A `geoPoint` field's value: degrees of longitude and latitude, PocketBase's `types.GeoPoint`.
///
/// PocketBase reads any value it is given (a body value, a stored column) by turning it into JSON text and
/// decoding that into `{lon, lat}`, and ignores the decoding error: what was decoded before the first problem
/// stays, the rest is 0. So `null`, `""`, `[1,2]`, `5` and `{"lon":"5"}` are all (0, 0) and never an error;
/// ``GeoPointTextReader`` has the details.
///
/// ```swift
/// GeoPoint(reading: ["lon": 23.32, "lat": 42.69]).text    // {"lon":23.32,"lat":42.69}
/// GeoPoint(reading: #"{"lat":6,"lon":"5"}"#)               // lon 0, lat 6
/// GeoPoint(reading: .null).isZero                          // true
/// ```
package struct GeoPoint: Sendable, Equatable {
    package var lon: Double
    package var lat: Double

    package init(lon: Double = 0, lat: Double = 0) {
        self.lon = lon
        self.lat = lat
    }

    /// Reads a submitted, canonical or stored value. Text is read as JSON text; any other value as its own
    /// JSON text with object keys sorted, which is one of the orders PocketBase may take: it serializes a map
    /// in random key order, so `{"lon":"5","lat":6}` gives PocketBase (0, 0) or (0, 6) from one request to the
    /// next, and Swiftbase always (0, 6).
    package init(reading value: JSONValue) {
        switch value {
        case .null:
            self.init()
        case .string(let text):
            self = GeoPointTextReader.read(text)
        case .object(let members):
            // The canonical form needs no round trip through text.
            if members.count == 2, case .number(let lon)? = members["lon"], case .number(let lat)? = members["lat"],
                lon.isFinite, lat.isFinite
            {
                self.init(lon: lon, lat: lat)
            } else {
                self = GeoPointTextReader.read(value.jsonString)
            }
        case .bool, .number, .array:
            self = GeoPointTextReader.read(value.jsonString)
        }
    }

    /// (0, 0), "Null Island": the empty value, which `required` refuses. `-0` counts as 0.
    package var isZero: Bool { lon == 0 && lat == 0 }

    /// The canonical value, as records show it: `{"lon": …, "lat": …}`.
    package var json: JSONValue {
        .object(["lon": .number(lon), "lat": .number(lat)])
    }

    /// The stored text, as PocketBase stores it: `lon` first, numbers as Go's `encoding/json` writes them.
    package var text: String {
        #"{"lon":"# + GoNumberFormat.json(lon) + #","lat":"# + GoNumberFormat.json(lat) + "}"
    }
}
