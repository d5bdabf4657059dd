/// The `data` member of a PocketBase error: a tree of field names down to `{code, message, params?}` items.
///
/// Example: `fields.3.name` becomes `.fields(["fields": .fields(["3": .fields(["name": .item(...)])])])`.
public indirect enum ErrorData: Sendable, Equatable {
    case item(ErrorItem)
    case fields([String: ErrorData])

    public static let empty = ErrorData.fields([:])

    public var isEmpty: Bool {
        if case .fields(let f) = self { return f.isEmpty }
        return false
    }

    /// A flat map of field name → item, the common case.
    public static func items(_ items: [String: ErrorItem]) -> ErrorData {
        .fields(items.mapValues { .item($0) })
    }

    public var json: JSONValue {
        switch self {
        case .item(let item): return item.json
        case .fields(let f): return .object(f.mapValues(\.json))
        }
    }
}

/// One validation failure: a stable `code` SDKs key on, a human message, optional params.
public struct ErrorItem: Sendable, Equatable, Error {
    public var code: String
    public var message: String
    public var params: [String: JSONValue]
    /// Keys beside `code`, `message` and `params` (a failed batch item carries its sub-request's `response`).
    public var extra: [String: JSONValue]

    public init(_ code: String, _ message: String, params: [String: JSONValue] = [:], extra: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.params = params
        self.extra = extra
    }

    public var json: JSONValue {
        var o = extra
        o["code"] = .string(code)
        o["message"] = .string(message)
        if !params.isEmpty { o["params"] = .object(params) }
        return .object(o)
    }
}

// MARK: - PocketBase's common items

extension ErrorItem {
    public static let required = ErrorItem("validation_required", "Cannot be blank.")
    public static let notUnique = ErrorItem("validation_not_unique", "Value must be unique.")
    public static let invalidValue = ErrorItem("validation_invalid_value", "Invalid value.")
    public static let inInvalid = ErrorItem("validation_in_invalid", "Must be a valid value.")
    public static let invalidFormat = ErrorItem("validation_invalid_format", "Invalid value format.")
    public static let isEmail = ErrorItem("validation_is_email", "Must be a valid email address.")
    public static let invalidURL = ErrorItem("validation_invalid_url", "Must be a valid url.")
    public static let invalidJSON = ErrorItem("validation_invalid_json", "Must be a valid json value.")
    public static let onlyInt = ErrorItem("validation_only_int_constraint", "Only integers are allowed.")
    public static let valuesMismatch = ErrorItem("validation_values_mismatch", "Values don't match.")
    public static let pkChange = ErrorItem("validation_pk_change", "The record primary key cannot be changed.")
    public static let missingRelRecords = ErrorItem(
        "validation_missing_rel_records", "Failed to find all relation records with the provided ids.")

    public static func lengthOutOfRange(min: Int, max: Int) -> ErrorItem {
        ErrorItem(
            "validation_length_out_of_range", "The length must be between \(min) and \(max).",
            params: ["min": .number(Double(min)), "max": .number(Double(max))])
    }

    public static func minText(_ min: Int) -> ErrorItem {
        ErrorItem(
            "validation_min_text_constraint", "Must be at least \(min) character(s).",
            params: ["min": .number(Double(min))])
    }

    public static func maxText(_ max: Int) -> ErrorItem {
        ErrorItem(
            "validation_max_text_constraint", "Must be less than \(max) character(s).",
            params: ["max": .number(Double(max))])
    }

    public static func minNumber(_ min: Double) -> ErrorItem {
        ErrorItem(
            "validation_min_number_constraint", "Must be larger than \(JSONValue.number(min).jsonString).",
            params: ["min": .number(min)])
    }

    public static func maxNumber(_ max: Double) -> ErrorItem {
        ErrorItem(
            "validation_max_number_constraint", "Must be less than \(JSONValue.number(max).jsonString).",
            params: ["max": .number(max)])
    }

    public static func tooManyValues(_ maxSelect: Int) -> ErrorItem {
        ErrorItem(
            "validation_too_many_values", "Select no more than \(maxSelect).",
            params: ["maxSelect": .number(Double(maxSelect))])
    }

    public static func notEnoughValues(_ minSelect: Int) -> ErrorItem {
        ErrorItem(
            "validation_not_enough_values", "Select at least \(minSelect).",
            params: ["minSelect": .number(Double(minSelect))])
    }
}
