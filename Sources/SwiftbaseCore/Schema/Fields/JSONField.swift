/// `json`: any JSON value, `null` when unset. `maxSize` (bytes of the JSON text) 0 means 1 MiB.
extension JSONFieldOptions: FieldBehavior {
    static let defaultMaxSize = 1 << 20

    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        self.init(maxSize: try JSONOptionReader(json).int("maxSize"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["maxSize"] = .number(Double(maxSize))
    }

    /// The size limit in bytes that applies.
    package var effectiveMaxSize: Int { maxSize <= 0 ? Self.defaultMaxSize : maxSize }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "JSON DEFAULT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .null }

    /// Text is read as PocketBase reads a string for a json field, whether it came from a form or a JSON
    /// body (see `fromFormText(_:)`); every other value is kept as it is.
    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        guard case .string(let text) = raw else { return raw }
        return Self.fromFormText(text)
    }

    /// PocketBase's reading of text given for a json field: `null`/`true`/`false`, and text starting with a
    /// digit, `-`, `"`, `[` or `{` that parses as JSON, become that JSON; anything else (including `""`) is
    /// kept as a JSON string.
    package static func fromFormText(_ text: String) -> JSONValue {
        switch text {
        case "null": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first,
            (first >= 48 && first <= 57) || first == UInt8(ascii: "-") || first == UInt8(ascii: "\"")
                || first == UInt8(ascii: "[") || first == UInt8(ascii: "{"),
            let parsed = try? JSONValue.parse(text)
        else { return .string(text) }
        return parsed
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let limit = effectiveMaxSize
        if Self.exceedsSize(value, limit) { return .jsonSizeLimit(limit) }
        if field.required, Self.isBlank(value) { return .required }
        return nil
    }

    /// `null`, `""`, `[]` and `{}` count as blank for `required`.
    static func isBlank(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        case .object(let o): o.isEmpty
        case .bool, .number: false
        }
    }

    /// Whether the JSON text of `value` is longer than `limit` bytes; scalars are measured without
    /// serializing them.
    private static func exceedsSize(_ value: JSONValue, _ limit: Int) -> Bool {
        switch value {
        case .null: return 4 > limit
        case .bool(let b): return (b ? 4 : 5) > limit
        case .number(let d): return GoNumberFormat.plain(d).utf8.count > limit
        case .string(let s) where s.utf8.count + 2 > limit: return value.jsonString.utf8.count > limit
        case .string: return false
        case .array, .object: return value.jsonString.utf8.count > limit
        }
    }

    /// `null` is stored as SQL NULL, anything else as its JSON text.
    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        if case .null = value { return .null }
        return .text(value.jsonString)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        switch value {
        case .null: return .null
        case .integer(let i): return .number(Double(i))
        case .real(let d): return .number(d)
        case .text(let s): return (try? JSONValue.parse(s)) ?? .string(s)
        case .blob(let bytes): return (try? JSONValue.parse(String(decoding: bytes, as: UTF8.self))) ?? .null
        }
    }
}
