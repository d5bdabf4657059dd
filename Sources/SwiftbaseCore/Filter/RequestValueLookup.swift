/// Looks values up in the request the way `@request.*` sees it:
/// `context`, `method`, `query.<name>`, `headers.<name>`, `body.<path>` and `auth.<field>`.
///
/// Returns `nil` when the path does not exist and `.null` when it exists with a JSON null (so `:isset`
/// can tell them apart). Nested segments index objects by key and arrays by position.
struct RequestValueLookup {
    let request: RequestInfo

    init(_ request: RequestInfo) {
        self.request = request
    }

    func value(at path: [String]) -> JSONValue? {
        guard let rootKey = path.first else { return nil }
        var current: JSONValue
        switch rootKey {
        case "context": current = .string(request.context)
        case "method": current = .string(request.method)
        case "query": current = .object(request.query.mapValues { .string($0) })
        case "headers": current = .object(request.headers.mapValues { .string($0) })
        case "body": current = .object(request.body)
        case "auth":
            guard let record = request.auth.record else { return nil }
            var values = record.values
            values["collectionId"] = .string(record.collectionId)
            values["collectionName"] = .string(record.collectionName)
            current = .object(values)
        default: return nil
        }
        for key in path.dropFirst() {
            switch current {
            case .object(let members):
                guard let member = members[key] else { return nil }
                current = member
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}

// MARK: - Go-style conversions of request values

extension RecordFieldResolver {
    /// How a request value is bound: strings as text, booleans as 1/0, numbers as REAL, arrays and objects as
    /// their JSON text; JSON null is no value (SQL NULL).
    static func sqlValue(_ value: JSONValue) -> SQLValue? {
        switch value {
        case .null: nil
        case .string(let text): .text(text)
        case .bool(let flag): .integer(flag ? 1 : 0)
        case .number(let number): .real(number)
        case .array, .object: .text(value.jsonString)
        }
    }

    /// A value as text the way Go's `cast.ToString` renders it (lists and objects become empty).
    static func goString(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .number(let number)?:
            var out = ""
            JSONWriter.writeNumber(number, into: &out)
            return out
        default: return ""
        }
    }

    /// A value as a list: nil/null is empty, a list is itself, anything else is a one-element list.
    static func asList(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case nil, .null?: []
        case .array(let items)?: items
        case let other?: [other]
        }
    }

    /// Submitted relation ids: a string (or a JSON array text), or a list; empty and duplicate ids dropped.
    static func uniqueStrings(_ value: JSONValue?) -> [String] {
        var raw: [String] = []
        switch value {
        case .string(let text)?:
            if text.contains("["), case .array(let items)? = try? JSONValue.parse(text),
                items.allSatisfy({ $0.stringValue != nil })
            {
                raw = items.compactMap(\.stringValue)
            } else {
                raw = [text]
            }
        case .array(let items)?:
            raw = items.map { goString($0) }
        default:
            break
        }
        var seen = Set<String>()
        return raw.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// `"alias"."id" = ?` or `"alias"."id" IN (?, ?, …)`.
    static func idIn(alias: String, _ ids: [String]) -> SQLFragment {
        let column = FilterJSONSQL.column(alias, "id")
        if ids.count == 1 { return SQLFragment(unsafeRaw: column + " = ?", arguments: [.text(ids[0])]) }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return SQLFragment(unsafeRaw: column + " IN (" + placeholders + ")", arguments: ids.map { .text($0) })
    }
}
