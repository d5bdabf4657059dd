import Foundation

/// Reads just enough of PocketBase's stored `CREATE [UNIQUE] INDEX` statements to answer one question:
/// does a column have a single-column UNIQUE index? (A back-relation through such a field is single-valued.)
/// `WHERE` clauses of partial indexes are ignored, as PocketBase ignores them.
enum UniqueIndexParser {
    static func hasSingleColumnUniqueIndex(_ indexes: [String], column: String) -> Bool {
        indexes.contains { index in
            guard let columns = uniqueIndexColumns(index), columns.count == 1 else { return false }
            return columns[0].equalsIgnoringASCIICase(column)
        }
    }

    /// The column names of a UNIQUE index statement, or nil if the statement is not a UNIQUE index.
    static func uniqueIndexColumns(_ statement: String) -> [String]? {
        let words = statement.split(whereSeparator: { $0.isWhitespace })
        guard words.count >= 3, words[0].uppercased() == "CREATE", words[1].uppercased() == "UNIQUE",
            words[2].uppercased() == "INDEX"
        else { return nil }
        guard let open = statement.firstIndex(of: "(") else { return nil }
        var depth = 0
        var end: String.Index?
        var cursor = open
        while cursor < statement.endIndex {
            let character = statement[cursor]
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth == 0 {
                    end = cursor
                    break
                }
            }
            cursor = statement.index(after: cursor)
        }
        guard let end else { return nil }
        let list = statement[statement.index(after: open)..<end]
        return list.split(separator: ",").compactMap { definition in
            guard let first = definition.split(whereSeparator: { $0.isWhitespace }).first else { return nil }
            return first.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`[]"))
        }
    }
}
