import Foundation

/// A piece of SQL text with its bound arguments, in order of their `?` placeholders.
///
/// Values never appear in `sql`; they travel in `arguments`. Use `SQLFragment(unsafeRaw:)` only for text
/// that Swiftbase itself produced from validated identifiers.
public struct SQLFragment: Sendable, Equatable, CustomStringConvertible {
    public var sql: String
    public var arguments: [SQLValue]

    public init(unsafeRaw sql: String, arguments: [SQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// A single bound value: `?`.
    public static func bind(_ value: SQLValue) -> SQLFragment {
        SQLFragment(unsafeRaw: "?", arguments: [value])
    }

    public static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment(unsafeRaw: lhs.sql + rhs.sql, arguments: lhs.arguments + rhs.arguments)
    }

    public static func += (lhs: inout SQLFragment, rhs: SQLFragment) {
        lhs.sql += rhs.sql
        lhs.arguments += rhs.arguments
    }

    /// Joins fragments with a raw separator such as `", "` or `" AND "`.
    public static func join(_ parts: [SQLFragment], separator: String) -> SQLFragment {
        var out = SQLFragment(unsafeRaw: "")
        for (i, part) in parts.enumerated() {
            if i > 0 { out.sql += separator }
            out += part
        }
        return out
    }

    public var description: String { sql }
}

/// Quotes an identifier for SQL (`"name"` with inner quotes doubled). Identifiers in Swiftbase are
/// validated against `^\w+$` before they get here; quoting is the second line of defence.
public func quoteIdentifier(_ name: String) -> String {
    guard name.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + name + "\"" }
    return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
