import Foundation

/// The database's own words from a driver error ("no such table: x"), without the driver's decoration
/// (GRDB's "SQLite error 1: … - while executing `…`"), for messages PocketBase shows as "Raw error".
enum StoreErrorText {
    static func message(of error: any Error) -> String {
        var text = String(describing: error)
        if let start = text.range(of: "SQLite error "), let colon = text[start.upperBound...].range(of: ": ") {
            text = String(text[colon.upperBound...])
        }
        if let end = text.range(of: " - while executing") { text = String(text[..<end.lowerBound]) }
        return text
    }
}
