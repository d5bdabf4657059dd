/// `select`: one of `values` (`maxSelect` ≤ 1, stored as text) or several (a JSON array).
extension SelectFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(values: try reader.strings("values"), maxSelect: try reader.int("maxSelect"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["values"] = values.jsonArray
        json["maxSelect"] = .number(Double(maxSelect))
    }

    package var isMultiple: Bool { maxSelect > 1 }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        MultiValue.columnDefinition(multiple: isMultiple)
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { MultiValue.zeroValue(multiple: isMultiple) }

    /// Duplicates and empty values are dropped; a single select keeps the last submitted value.
    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        MultiValue.canonical(GoCast.uniqueStrings(raw), multiple: isMultiple)
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let selected = GoCast.uniqueStrings(value)
        if selected.isEmpty { return field.required ? .required : nil }
        let limit = Swift.max(maxSelect, 1)
        if selected.count > limit { return .tooManyValues(limit) }
        if let invalid = selected.first(where: { !values.contains($0) }) { return .invalidSelectValue(invalid) }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        MultiValue.sqlValue(GoCast.uniqueStrings(value), multiple: isMultiple)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        MultiValue.jsonValue(value, multiple: isMultiple)
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if values.isEmpty { errors["values"] = .required }
        let limit = Swift.max(values.count, 1)
        if maxSelect < 0 {
            errors["maxSelect"] = .noLessThan(0)
        } else if maxSelect > limit {
            errors["maxSelect"] = .noGreaterThan(Double(limit))
        }
        return errors
    }

    /// Works on single selects too, as in PocketBase: the combined list is normalized to its last value.
    package func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
    {
        MultiValue.apply(
            modifier, operand: GoCast.uniqueStrings(operand), to: GoCast.uniqueStrings(current), multiple: isMultiple)
    }
}
