/// `editor`: rich text (HTML) stored as given. `maxSize` (bytes) 0 means 5 MiB.
extension EditorFieldOptions: FieldBehavior {
    static let defaultMaxSize = 5 << 20

    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(maxSize: try reader.int("maxSize"), convertURLs: try reader.bool("convertURLs"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["maxSize"] = .number(Double(maxSize))
        json["convertURLs"] = .bool(convertURLs)
    }

    /// The size limit in bytes that applies.
    package var effectiveMaxSize: Int { maxSize <= 0 ? Self.defaultMaxSize : maxSize }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        if case .string = raw { return raw }
        return .string(GoCast.string(raw))
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let text = value.stringValue ?? GoCast.string(value)
        if field.required, text.isEmpty { return .required }
        let limit = effectiveMaxSize
        if text.utf8.count > limit { return .contentSizeLimit(limit) }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? GoCast.string(value))
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .string(value.textValue ?? "")
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        SizeOption.errors(maxSize, key: "maxSize")
    }
}

/// The checks PocketBase applies to a byte-size or count option: `Min(0)` and `Max(2^53 − 1)`.
enum SizeOption {
    static func errors(_ value: Int, key: String) -> [String: ErrorItem] {
        if value < 0 { return [key: .noLessThan(0)] }
        if value > TextFieldOptions.maxSafeInt { return [key: .noGreaterThan(Double(TextFieldOptions.maxSafeInt))] }
        return [:]
    }
}
