/// Storage and modifiers shared by the fields that hold one string or a list of them (`select`,
/// `relation`, `file`): single fields keep the last value, multiple fields a JSON array.
enum MultiValue {
    /// The canonical value of a normalized list: the array, or its last element (`""` when empty).
    static func canonical(_ values: [String], multiple: Bool) -> JSONValue {
        if multiple { return .array(values.map(JSONValue.string)) }
        return .string(values.last ?? "")
    }

    static func columnDefinition(multiple: Bool) -> String {
        multiple ? "JSON DEFAULT '[]' NOT NULL" : "TEXT DEFAULT '' NOT NULL"
    }

    static func zeroValue(multiple: Bool) -> JSONValue {
        multiple ? .array([]) : .string("")
    }

    /// A single value as text, a list as its JSON text (`["a","b"]`).
    static func sqlValue(_ values: [String], multiple: Bool) -> SQLValue {
        guard multiple else { return .text(values.last ?? "") }
        var out = "["
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            JSONWriter.writeString(value, into: &out)
        }
        return .text(out + "]")
    }

    static func jsonValue(_ stored: SQLValue, multiple: Bool) -> JSONValue {
        guard multiple else { return .string(stored.textValue ?? "") }
        guard let text = stored.textValue else { return .array([]) }
        return .array(GoCast.uniqueStrings(.string(text)).map(JSONValue.string))
    }

    /// `field+` appends, `+field` prepends, `field-` removes; the result is normalized again (duplicates
    /// dropped, a single field keeping the last value), as PocketBase's setters do.
    static func apply(
        _ modifier: FieldModifier, operand: [String], to current: [String], multiple: Bool,
        normalize: ([String]) -> [String] = GoCast.nonzeroUniques
    ) -> JSONValue {
        let combined: [String]
        switch modifier {
        case .append: combined = current + operand
        case .prepend: combined = operand + current
        case .remove: combined = GoCast.subtracting(operand, from: current)
        }
        return canonical(normalize(combined), multiple: multiple)
    }
}
