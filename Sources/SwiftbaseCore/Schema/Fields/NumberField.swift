/// `number`: a float64. Non-numeric input casts to 0 without error, as in PocketBase.
extension NumberFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(min: try reader.optionalDouble("min"), max: try reader.optionalDouble("max"), onlyInt: try reader.bool("onlyInt"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["min"] = min.map(JSONValue.number) ?? .null
        json["max"] = max.map(JSONValue.number) ?? .null
        json["onlyInt"] = .bool(onlyInt)
    }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "NUMERIC DEFAULT 0 NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .number(0) }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        if case .number = raw { return raw }
        return .number(GoCast.double(raw))
    }

    /// NaN/±Inf are refused; 0 counts as blank for `required` and skips the other checks.
    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let number = value.doubleValue ?? GoCast.double(value)
        if !number.isFinite { return .notANumber }
        if number == 0 { return field.required ? .required : nil }
        if onlyInt, !Self.isInt64(number) { return .decimalNotAllowed }
        if let min, number < min { return .numberTooSmall(min) }
        if let max, number > max { return .numberTooLarge(max) }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        Self.stored(value.doubleValue ?? GoCast.double(value))
    }

    /// How a number is stored: whole numbers (below 2^53) as integers, others as reals, NaN/±Inf as 0.
    package static func stored(_ number: Double) -> SQLValue {
        guard number.isFinite else { return .integer(0) }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 { return .integer(Int64(number)) }
        return .real(number)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        switch value {
        case .integer(let i): .number(Double(i))
        case .real(let d): .number(d)
        case .text(let s): .number(GoNumberFormat.parseFloat(s) ?? 0)
        case .null, .blob: .number(0)
        }
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if onlyInt, let min, !Self.isInt64(min) { errors["min"] = .decimalNotAllowed }
        if onlyInt, let max, !Self.isInt64(max) {
            errors["max"] = .decimalNotAllowed
        } else if let min, let max, max < min {
            errors["max"] = .numberTooSmall(min)
        }
        return errors
    }

    /// `field+` adds, `field-` subtracts (both operands cast as numbers); `+field` is not supported.
    package func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
    {
        switch modifier {
        case .append: .number(GoCast.double(current) + GoCast.double(operand))
        case .remove: .number(GoCast.double(current) - GoCast.double(operand))
        case .prepend: nil
        }
    }

    /// Go's `v == float64(int64(v))`: whole numbers within int64's range.
    static func isInt64(_ value: Double) -> Bool {
        value == value.rounded(.towardZero) && value >= -9.223_372_036_854_775_808e18 && value < 9.223_372_036_854_775_808e18
    }
}
