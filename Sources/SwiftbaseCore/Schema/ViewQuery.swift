/// A view collection's `SELECT`, read loosely for its column and table identifiers, as PocketBase reads it
/// to infer the view's fields.
///
/// Not a SQL parser: SQLite runs the query and is the judge of its validity. This only finds, at the top level
/// (outside parentheses and quotes), the items between `SELECT` and `FROM` and the tables after `FROM` and
/// each `JOIN`, each as an expression and its alias (`expr AS alias`, `expr alias`, or the last dotted part of
/// `t.column`). `WHERE`, `GROUP BY`, `HAVING`, `ORDER`, `LIMIT`, `WITH` and a join's `ON` end a part.
package struct ViewQuery: Sendable, Equatable {
    package struct Identifier: Sendable, Equatable {
        /// The expression with identifier quotes trimmed from each dotted part.
        package var original: String
        package var alias: String
    }

    package var columns: [Identifier]
    package var tables: [Identifier]

    package enum Problem: Error, Equatable, CustomStringConvertible {
        case multipleStatements
        case invalidIdentifier([String])

        package var description: String {
            switch self {
            case .multipleStatements: return "multiple statements are not supported"
            case .invalidIdentifier(let parts): return "invalid identifier parts [\(parts.joined(separator: " "))]"
            }
        }
    }

    /// The query without surrounding blanks and semicolons; more than one statement is refused.
    package static func normalized(_ query: String) throws(Problem) -> String {
        let trimmed = trimmingSemicolons(query)
        if Lexer.split(trimmed, at: [";"]).count > 1 { throw .multipleStatements }
        return trimmed
    }

    package init(parsing query: String) throws(Problem) {
        let text = Self.withoutComments(Self.trimmingSemicolons(query))
        var select: [[String]] = []
        var from: [[String]] = []
        var joins: [[String]] = []
        enum Part { case none, select, from, join, skipped }
        var part = Part.none
        let words = Lexer.words(text)
        var i = 0
        func lower(_ k: Int) -> String? { k < words.count ? words[k].lowercased() : nil }
        while i < words.count {
            let word = words[i].lowercased()
            if let joinLength = Self.joinKeywordLength(at: i, lower) {
                part = .join
                joins.append([])
                i += joinLength
                continue
            }
            switch word {
            case "select":
                part = .select
                select.append([])
            case "distinct" where part == .select:
                break
            case "from":
                part = .from
                from.append([])
            case "where", "having", "order", "limit", "with":
                part = .skipped
            case "group" where lower(i + 1) == "by":
                part = .skipped
                i += 1
            case "on" where part == .join:
                part = .skipped
            default:
                switch part {
                case .select: select[select.count - 1].append(words[i])
                case .from: from[from.count - 1].append(words[i])
                case .join: joins[joins.count - 1].append(words[i])
                case .none, .skipped: break
                }
            }
            i += 1
        }
        columns = try Self.identifiers(select.flatMap { $0 })
        var tables = try Self.identifiers(from.flatMap { $0 })
        for join in joins { tables += try Self.identifiers(join) }
        self.tables = tables
    }

    /// The collection field a column reads as it is (`t.field`, or `field` of the first table), if the table is
    /// a collection that has it (names compared case-insensitively, as SQLite compares them).
    package func source(of column: Identifier, in snapshot: SchemaSnapshot)
        -> (collection: CollectionModel, field: FieldModel)?
    {
        let parts = column.original.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let alias = parts.count == 2 ? String(parts[0]) : tables.first?.alias
        let name = String(parts[parts.count - 1]).lowercased()
        guard let table = tables.first(where: { $0.alias == alias && !$0.alias.contains("(") }),
            let collection = snapshot.collections.first(where: { $0.name == table.original }),
            let field = collection.fields.first(where: { $0.name.lowercased() == name })
        else { return nil }
        return (collection, field)
    }

    /// The number of words of a join keyword starting at `i` (`LEFT OUTER JOIN` is three), or nil.
    private static func joinKeywordLength(at i: Int, _ word: (Int) -> String?) -> Int? {
        guard let first = word(i) else { return nil }
        if first == "join" { return 1 }
        guard ["left", "right", "full", "inner", "outer", "cross"].contains(first) else { return nil }
        if word(i + 1) == "join" { return 2 }
        if word(i + 1) == "outer", word(i + 2) == "join" { return 3 }
        return nil
    }

    /// Splits the words of one part at its top-level commas into identifiers.
    private static func identifiers(_ words: [String]) throws(Problem) -> [Identifier] {
        var items: [[String]] = [[]]
        for word in words {
            if word == "," { items.append([]) } else { items[items.count - 1].append(word) }
        }
        var out: [Identifier] = []
        for parts in items where !parts.isEmpty { out.append(try identifier(parts)) }
        return out
    }

    private static func identifier(_ parts: [String]) throws(Problem) -> Identifier {
        let original: String
        let alias: String
        switch parts.count {
        case 3 where parts[1].lowercased() == "as":
            (original, alias) = (parts[0], parts[2])
        case 2:
            (original, alias) = (parts[0], parts[1])
        case 1:
            original = parts[0]
            alias = String(parts[0].split(separator: ".", omittingEmptySubsequences: false).last ?? "")
        default:
            throw .invalidIdentifier(parts)
        }
        // SQLite takes a single-quoted alias as an identifier where one is expected.
        return Identifier(original: trimmingQuotes(original, extra: []), alias: trimmingQuotes(alias, extra: ["'"]))
    }

    private static let identifierQuotes: Set<Character> = ["`", "\"", "[", "]", ";"]

    private static func trimmingQuotes(_ text: String, extra: Set<Character>) -> String {
        let quotes = identifierQuotes.union(extra)
        return text.split(separator: ".", omittingEmptySubsequences: false).map { part in
            String(part.drop(while: { quotes.contains($0) }).reversed().drop(while: { quotes.contains($0) }).reversed())
        }.joined(separator: ".")
    }

    private static func trimmingSemicolons(_ text: String) -> String {
        let isTrimmed: (Character) -> Bool = { $0.isWhitespace }
        let blanksOff = String(text.drop(while: isTrimmed).reversed().drop(while: isTrimmed).reversed())
        return String(blanksOff.drop(while: { $0 == ";" }).reversed().drop(while: { $0 == ";" }).reversed())
    }

    /// `/* … */` and `-- …` comments replaced by a space (outside quotes).
    static func withoutComments(_ text: String) -> String {
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            if let quote = Lexer.closingQuote(for: c) {
                let end = chars.dropFirst().firstIndex(of: quote).map { $0 + 1 } ?? chars.endIndex
                out += chars[chars.startIndex..<end]
                chars = chars[end...]
            } else if c == "/", chars.dropFirst().first == "*" {
                let rest = chars.dropFirst(2)
                var end = rest.endIndex
                var k = rest.startIndex
                while k < rest.endIndex - 1 {
                    if rest[k] == "*", rest[k + 1] == "/" { end = k + 2; break }
                    k += 1
                }
                out += " "
                chars = chars[min(end, chars.endIndex)...]
            } else if c == "-", chars.dropFirst().first == "-" {
                let end = chars.firstIndex(of: "\n") ?? chars.endIndex
                out += " "
                chars = chars[end...]
            } else {
                out.append(c)
                chars = chars.dropFirst()
            }
        }
        return out
    }
}

/// Top-level splitting of SQL text: parentheses nest, quotes (`'`, `"`, `` ` ``, `[…]`) enclose.
enum Lexer {
    static func closingQuote(for c: Character) -> Character? {
        switch c {
        case "'", "\"", "`": return c
        case "[": return "]"
        default: return nil
        }
    }

    /// The text cut at top-level occurrences of `separators` (which are dropped).
    static func split(_ text: String, at separators: Set<Character>) -> [String] {
        var parts: [String] = []
        var current = ""
        scan(text) { c, depth, quoted in
            if depth == 0, !quoted, separators.contains(c) {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts.filter { !$0.allSatisfy(\.isWhitespace) }
    }

    /// Words split at top-level blanks, with each top-level comma a word of its own.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        scan(text) { c, depth, quoted in
            if depth == 0, !quoted, c.isWhitespace {
                flush()
            } else if depth == 0, !quoted, c == "," {
                flush()
                words.append(",")
            } else {
                current.append(c)
            }
        }
        flush()
        return words
    }

    /// Calls `body` with each character, the parenthesis depth around it and whether it is inside quotes
    /// (quote characters themselves count as quoted).
    private static func scan(_ text: String, _ body: (Character, Int, Bool) -> Void) {
        var depth = 0
        var closing: Character?
        for c in text {
            if let quote = closing {
                body(c, depth, true)
                if c == quote { closing = nil }
                continue
            }
            if let quote = closingQuote(for: c) {
                closing = quote
                body(c, depth, true)
                continue
            }
            if c == "(" {
                body(c, depth, false)
                depth += 1
                continue
            }
            if c == ")" {
                depth = max(0, depth - 1)
                body(c, depth, false)
                continue
            }
            body(c, depth, false)
        }
    }
}
