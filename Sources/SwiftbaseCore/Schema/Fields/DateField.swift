/// `date`: a datetime in PocketBase's canonical text (`2024-01-02 03:04:05.000Z`) or `""`. Input is parsed
/// leniently; anything that is not a date (numbers included, as in PocketBase) becomes `""`.
extension DateFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(min: Self.canonical(try reader.string("min")), max: Self.canonical(try reader.string("max")))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["min"] = .string(min)
        json["max"] = .string(max)
    }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        guard case .string(let text) = raw else { return .string("") }
        return .string(Self.canonical(text))
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        guard let text = value.stringValue, !text.isEmpty else { return field.required ? .required : nil }
        if !min.isEmpty, text < min { return .dateNoLessThan(min) }
        if !max.isEmpty, text > max { return .dateNoGreaterThan(max) }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? "")
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .string(value.textValue ?? "")
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        if !min.isEmpty, !max.isEmpty, max < min { return ["max": .dateOutOfRange] }
        return [:]
    }

    /// The canonical text of a date input, or `""` when it is not a date. Plain numbers are not dates here
    /// (PocketBase casts a JSON number to text, which no date layout accepts).
    static func canonical(_ text: String) -> String {
        if text.isEmpty || GoNumberFormat.parseFloat(text) != nil { return "" }
        return DateTime.normalize(text) ?? ""
    }
}

/// How Go prints a `time.Time` in UTC, for the date items of ozzo-validation.
enum GoTime {
    /// `time.Time.String()`: `2024-01-02 03:04:05.5 +0000 UTC` (fraction without trailing zeros).
    static func display(_ canonical: String) -> String {
        let (seconds, fraction) = split(canonical)
        return seconds + (fraction.isEmpty ? "" : "." + fraction) + " +0000 UTC"
    }

    /// JSON of a `time.Time` (RFC 3339 with nanoseconds trimmed): `2024-01-02T03:04:05.5Z`.
    static func rfc3339(_ canonical: String) -> String {
        let (seconds, fraction) = split(canonical)
        return seconds.replacingFirstSpace(with: "T") + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    /// `2024-01-02 03:04:05.120Z` → (`2024-01-02 03:04:05`, `12`).
    private static func split(_ canonical: String) -> (String, String) {
        var text = Substring(canonical)
        if text.last == "Z" { text = text.dropLast() }
        guard let dot = text.lastIndex(of: ".") else { return (String(text), "") }
        var fraction = text[text.index(after: dot)...]
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return (String(text[..<dot]), String(fraction))
    }
}

extension String {
    fileprivate func replacingFirstSpace(with replacement: Character) -> String {
        guard let space = firstIndex(of: " ") else { return self }
        var copy = self
        copy.replaceSubrange(space...space, with: String(replacement))
        return copy
    }
}
