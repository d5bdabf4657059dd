import Foundation

/// The database's own words from a driver error ("no such table: x"), without the driver's decoration
/// (GRDB's "SQLite error 1: … - while executing `…`"), for messages PocketBase shows as "Raw error".
enum StoreErrorText {
    static func message(of error: any Error) -> String {
        if let constraint = error as? StoreConstraintError { return message(of: constraint) }
        var text = String(describing: error)
        if let start = text.range(of: "SQLite error "), let colon = text[start.upperBound...].range(of: ": ") {
            text = String(text[colon.upperBound...])
        }
        if let end = text.range(of: " - while executing") { text = String(text[..<end.lowerBound]) }
        return text
    }

    /// A constraint the store translated, in SQLite's words ("UNIQUE constraint failed: posts.slug").
    private static func message(of constraint: StoreConstraintError) -> String {
        let kind: String
        switch constraint.kind {
        case .unique: kind = "UNIQUE"
        case .foreignKey: kind = "FOREIGN KEY"
        case .other: kind = "CHECK"
        }
        let columns = constraint.columns.map { column in constraint.table.map { "\($0).\(column)" } ?? column }
        return columns.isEmpty ? "\(kind) constraint failed" : "\(kind) constraint failed: " + columns.joined(separator: ", ")
    }
}
