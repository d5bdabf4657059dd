/// `bool`: true/false; `required` means the value must be true.
extension BoolFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        self.init()
    }

    package func encode(into json: inout [String: JSONValue]) {}

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "BOOLEAN DEFAULT FALSE NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .bool(false) }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        if case .bool = raw { return raw }
        return .bool(GoCast.bool(raw))
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        field.required && !(value.boolValue ?? GoCast.bool(value)) ? .required : nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .integer((value.boolValue ?? GoCast.bool(value)) ? 1 : 0)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .bool(value.boolValue)
    }
}
