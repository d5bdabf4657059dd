/// `password`: the plaintext is validated, the record service stores its bcrypt hash. Never serialized.
///
/// Canonical values are the submitted plaintext (after `prepare`), or the stored hash when the password
/// did not change; `.null` (what `jsonValue` gives for a loaded record) also means "unchanged".
extension PasswordFieldOptions: FieldBehavior {
    /// bcrypt reads at most 72 bytes; PocketBase caps passwords at 71 characters.
    static let defaultMax = 71
    static let defaultCost = 10

    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(
            min: try reader.int("min"), max: try reader.int("max"), pattern: try reader.string("pattern"),
            cost: try reader.int("cost"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["min"] = .number(Double(min))
        json["max"] = .number(Double(max))
        json["pattern"] = .string(pattern)
        json["cost"] = .number(Double(cost))
    }

    /// The bcrypt cost to hash with (0 means 10).
    package var effectiveCost: Int { cost <= 0 ? Self.defaultCost : cost }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        if case .string = raw { return raw }
        return .string(GoCast.string(raw))
    }

    /// `required`, then length (in characters) and `pattern` of a plaintext. A stored bcrypt hash (as
    /// PocketBase recognizes one: text starting with `$2`) is only checked for `required`.
    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        guard case .string(let text) = value else { return nil }
        if text.isEmpty { return field.required ? .required : nil }
        if Self.isHash(text) { return nil }
        let length = GoCast.runeCount(text)
        if length < min { return .passwordTooShort(min) }
        let limit = max <= 0 ? Self.defaultMax : max
        if length > limit { return .passwordTooLong(limit) }
        if !pattern.isEmpty, !PatternCache.matches(pattern, text) { return .invalidFormat }
        return nil
    }

    /// A bcrypt hash as stored: 60 characters starting with `$2`.
    static func isHash(_ text: String) -> Bool {
        text.utf8.count == 60 && text.hasPrefix("$2")
    }

    /// The text as given: by the time a record is stored the value is the hash.
    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? "")
    }

    /// Never readable: password hashes stay in the database.
    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue { .null }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if min != 0, min < 1 {
            errors["min"] = .noLessThan(1)
        } else if min > Self.defaultMax {
            errors["min"] = .noGreaterThan(Double(Self.defaultMax))
        }
        if max != 0, max < min {
            errors["max"] = .noLessThan(Double(min))
        } else if max > Self.defaultMax {
            errors["max"] = .noGreaterThan(Double(Self.defaultMax))
        }
        if cost != 0, cost < 4 {
            errors["cost"] = .noLessThan(4)
        } else if cost > 31 {
            errors["cost"] = .noGreaterThan(31)
        }
        if !pattern.isEmpty, !PatternCache.isValid(pattern) { errors["pattern"] = .invalidRegex }
        return errors
    }
}
