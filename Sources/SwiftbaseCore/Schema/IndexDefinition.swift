import Foundation

/// A collection index as PocketBase writes it (`CREATE UNIQUE INDEX `idx_x` ON `posts` (`slug`)`), parsed
/// into parts and always re-rendered from them, so user text never reaches SQL as written.
///
/// Columns are plain field names with optional `COLLATE <name>` and `ASC`/`DESC`. An optional `WHERE`
/// condition may use field names, string and number literals, comparison operators, `AND`/`OR`/`NOT`,
/// `IS [NOT] NULL` and parentheses — nothing else.
package struct IndexDefinition: Sendable, Equatable {
    package struct Column: Sendable, Equatable {
        package var name: String
        package var collate: String?
        package var descending: Bool?
    }

    package var name: String
    package var unique: Bool
    package var table: String
    package var columns: [Column]
    /// Tokens of the WHERE condition, already validated; rendered separated by spaces.
    package var whereTokens: [String]

    /// Parses a statement; nil when it is not of the accepted form.
    package init?(parsing text: String) {
        var tokens = IndexTokenizer(text).tokens()[...]
        func keyword(_ word: String) -> Bool {
            if let t = tokens.first, case .word(let w) = t, w.uppercased() == word {
                tokens.removeFirst()
                return true
            }
            return false
        }
        func identifier() -> String? {
            guard let t = tokens.first else { return nil }
            switch t {
            case .word(let w), .quoted(let w):
                guard Self.isIdentifier(w) else { return nil }
                tokens.removeFirst()
                return w
            default: return nil
            }
        }
        guard keyword("CREATE") else { return nil }
        unique = keyword("UNIQUE")
        guard keyword("INDEX") else { return nil }
        if keyword("IF") {
            guard keyword("NOT"), keyword("EXISTS") else { return nil }
        }
        guard let indexName = identifier(), keyword("ON"), let tableName = identifier() else { return nil }
        name = indexName
        table = tableName
        guard tokens.first == .symbol("(") else { return nil }
        tokens.removeFirst()
        columns = []
        while true {
            guard let col = identifier() else { return nil }
            var column = Column(name: col, collate: nil, descending: nil)
            if keyword("COLLATE") {
                guard let c = identifier(), ["NOCASE", "BINARY", "RTRIM"].contains(c.uppercased()) else { return nil }
                column.collate = c.uppercased()
            }
            if keyword("ASC") {
                column.descending = false
            } else if keyword("DESC") {
                column.descending = true
            }
            columns.append(column)
            guard let t = tokens.first else { return nil }
            tokens.removeFirst()
            if t == .symbol(")") { break }
            guard t == .symbol(",") else { return nil }
        }
        whereTokens = []
        if keyword("WHERE") {
            var depth = 0
            for t in tokens {
                switch t {
                case .word(let w):
                    let upper = w.uppercased()
                    if ["AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE"].contains(upper) {
                        whereTokens.append(upper)
                    } else if Self.isIdentifier(w) {
                        whereTokens.append("`\(w)`")
                    } else if w.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }), Double(w) != nil {
                        whereTokens.append(w)
                    } else {
                        return nil
                    }
                case .quoted(let w):
                    guard Self.isIdentifier(w) else { return nil }
                    whereTokens.append("`\(w)`")
                case .string(let s):
                    whereTokens.append("'" + s.replacingOccurrences(of: "'", with: "''") + "'")
                case .symbol(let s):
                    if s == "(" { depth += 1 }
                    if s == ")" { depth -= 1 }
                    guard depth >= 0, ["=", "!=", "<>", "<", ">", "<=", ">=", "(", ")"].contains(s) else { return nil }
                    whereTokens.append(s)
                }
            }
            guard depth == 0, !whereTokens.isEmpty else { return nil }
        } else if !tokens.isEmpty {
            return nil
        }
        guard !columns.isEmpty else { return nil }
    }

    /// The statement in PocketBase's backtick style, for the given table name.
    package func statement(onTable tableName: String? = nil) -> String {
        var s = "CREATE " + (unique ? "UNIQUE " : "") + "INDEX `\(name)` ON `\(tableName ?? table)` ("
        s += columns.map { c in
            var part = "`\(c.name)`"
            if let collate = c.collate { part += " COLLATE \(collate)" }
            if let desc = c.descending { part += desc ? " DESC" : " ASC" }
            return part
        }.joined(separator: ", ")
        s += ")"
        if !whereTokens.isEmpty { s += " WHERE " + whereTokens.joined(separator: " ") }
        return s
    }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 255
            && s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// Splits an index statement into words, quoted identifiers, string literals and symbols.
private struct IndexTokenizer {
    enum Token: Equatable {
        case word(String)
        case quoted(String)
        case string(String)
        case symbol(String)
    }

    let scalars: [Unicode.Scalar]

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    func tokens() -> [Token] {
        var out: [Token] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.isWhitespace {
                i += 1
            } else if c == "`" || c == "\"" || c == "[" {
                let close: Unicode.Scalar = c == "[" ? "]" : c
                var j = i + 1
                var s = ""
                while j < scalars.count, scalars[j] != close {
                    s.unicodeScalars.append(scalars[j])
                    j += 1
                }
                guard j < scalars.count else { return out + [.symbol("?")] }
                out.append(.quoted(s))
                i = j + 1
            } else if c == "'" {
                var j = i + 1
                var s = ""
                while j < scalars.count {
                    if scalars[j] == "'" {
                        if j + 1 < scalars.count, scalars[j + 1] == "'" {
                            s += "'"
                            j += 2
                            continue
                        }
                        break
                    }
                    s.unicodeScalars.append(scalars[j])
                    j += 1
                }
                guard j < scalars.count else { return out + [.symbol("?")] }
                out.append(.string(s))
                i = j + 1
            } else if c == "_" || c == "-" || c == "." || c.properties.isAlphabetic || ("0"..."9").contains(c) {
                var j = i
                var s = ""
                while j < scalars.count,
                    scalars[j] == "_" || scalars[j] == "." || scalars[j].properties.isAlphabetic
                        || ("0"..."9").contains(scalars[j]) || (j == i && scalars[j] == "-")
                {
                    s.unicodeScalars.append(scalars[j])
                    j += 1
                }
                out.append(.word(s))
                i = j
            } else {
                let two = i + 1 < scalars.count ? String(c) + String(scalars[i + 1]) : ""
                if ["!=", "<>", "<=", ">="].contains(two) {
                    out.append(.symbol(two))
                    i += 2
                } else {
                    out.append(.symbol(String(c)))
                    i += 1
                }
            }
        }
        return out
    }
}
