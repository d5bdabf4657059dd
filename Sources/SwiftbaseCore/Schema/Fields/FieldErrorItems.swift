// Validation items of field values and field settings, with PocketBase's codes, params and messages
// (its templates rendered and sentence-cased the way its API does).

// MARK: - Field values

extension ErrorItem {
    static func textTooShort(_ min: Int) -> ErrorItem {
        ErrorItem(
            "validation_min_text_constraint", "Must be at least \(min) character(s).", params: ["min": .number(Double(min))])
    }

    static func textTooLong(_ max: Int) -> ErrorItem {
        ErrorItem(
            "validation_max_text_constraint", "Must be no more than \(max) character(s).",
            params: ["max": .number(Double(max))])
    }

    /// Password length items carry no params in PocketBase.
    static func passwordTooShort(_ min: Int) -> ErrorItem {
        ErrorItem("validation_min_text_constraint", "Must be at least \(min) character(s).")
    }

    static func passwordTooLong(_ max: Int) -> ErrorItem {
        ErrorItem("validation_max_text_constraint", "Must be less than \(max) character(s).")
    }

    static func forbiddenPKCharacter(_ character: String) -> ErrorItem {
        ErrorItem(
            "validation_forbidden_pk_character", "'\(character)' is not a valid primary key character.",
            params: ["ch": .string(character)])
    }

    static func reservedPK(_ reserved: String) -> ErrorItem {
        ErrorItem(
            "validation_reserved_pk", "The primary key '\(reserved)' is reserved and cannot be used.",
            params: ["reserved": .string(reserved)])
    }

    static let notANumber = ErrorItem("validation_not_a_number", "The submitted number is not properly formatted.")
    static let decimalNotAllowed = ErrorItem("validation_only_int_constraint", "Decimal numbers are not allowed.")

    static func numberTooSmall(_ min: Double) -> ErrorItem {
        ErrorItem(
            "validation_min_number_constraint", "Must be greater or equal than \(GoNumberFormat.verb(min)).",
            params: ["min": .number(min)])
    }

    static func numberTooLarge(_ max: Double) -> ErrorItem {
        ErrorItem(
            "validation_max_number_constraint", "Must be less or equal than \(GoNumberFormat.verb(max)).",
            params: ["max": .number(max)])
    }

    static let emailDomainNotAllowed = ErrorItem(
        "validation_email_domain_not_allowed", "Email domain is not allowed.")
    static let urlDomainNotAllowed = ErrorItem("validation_url_domain_not_allowed", "Url domain is not allowed.")

    static func contentSizeLimit(_ maxSize: Int) -> ErrorItem {
        ErrorItem(
            "validation_content_size_limit", "The maximum allowed content size is \(maxSize) bytes.",
            params: ["maxSize": .number(Double(maxSize))])
    }

    static func jsonSizeLimit(_ maxSize: Int) -> ErrorItem {
        ErrorItem(
            "validation_json_size_limit", "The maximum allowed JSON size is \(maxSize) bytes.",
            params: ["maxSize": .number(Double(maxSize))])
    }

    static func invalidSelectValue(_ value: String) -> ErrorItem {
        ErrorItem("validation_invalid_value", "Invalid value \(value).", params: ["value": .string(value)])
    }

    static func tooManyFiles(_ maxSelect: Int) -> ErrorItem {
        ErrorItem(
            "validation_too_many_files", "The maximum allowed files is \(maxSelect).",
            params: ["maxSelect": .number(Double(maxSelect))])
    }

    /// Names of new files that were not uploaded (file names sent as plain text). The message lists them as
    /// Go prints a string slice: `[a.txt b.txt]`.
    static func invalidNewFiles(_ names: [String]) -> ErrorItem {
        ErrorItem(
            "validation_invalid_file", "Invalid new files: [\(names.joined(separator: " "))].",
            params: ["invalidFiles": .array(names.map(JSONValue.string))])
    }

    static let invalidLatitude = ErrorItem(
        "validation_invalid_latitude", "Latitude must be between -90 and 90 degrees.")
    static let invalidLongitude = ErrorItem(
        "validation_invalid_longitude", "Longitude must be between -180 and 180 degrees.")

    static let missingRelationCollection = ErrorItem(
        "validation_missing_rel_collection", "Relation connection is missing or cannot be accessed.")
}

// MARK: - Rules of ozzo-validation that PocketBase's settings validation uses

extension ErrorItem {
    /// `validation.Min(threshold)` on a number.
    static func noLessThan(_ threshold: Double) -> ErrorItem {
        ErrorItem(
            "validation_min_greater_equal_than_required", "Must be no less than \(GoNumberFormat.verb(threshold)).",
            params: ["threshold": .number(threshold)])
    }

    /// `validation.Max(threshold)` on a number.
    static func noGreaterThan(_ threshold: Double) -> ErrorItem {
        ErrorItem(
            "validation_max_less_equal_than_required", "Must be no greater than \(GoNumberFormat.verb(threshold)).",
            params: ["threshold": .number(threshold)])
    }

    /// `validation.Min(time)`: the message shows Go's `time.Time` text, the param its JSON form.
    static func dateNoLessThan(_ canonical: String) -> ErrorItem {
        ErrorItem(
            "validation_min_greater_equal_than_required", "Must be no less than \(GoTime.display(canonical)).",
            params: ["threshold": .string(GoTime.rfc3339(canonical))])
    }

    /// `validation.Max(time)`.
    static func dateNoGreaterThan(_ canonical: String) -> ErrorItem {
        ErrorItem(
            "validation_max_less_equal_than_required", "Must be no greater than \(GoTime.display(canonical)).",
            params: ["threshold": .string(GoTime.rfc3339(canonical))])
    }

    static let dateOutOfRange = ErrorItem("validation_date_out_of_range", "The date is out of range.")
    package static let matchInvalid = ErrorItem("validation_match_invalid", "Must be in a valid format.")
    static let notInList = ErrorItem("validation_not_in_invalid", "Must not be in list.")
    static let mustBeBlank = ErrorItem("validation_empty", "Must be blank.")
    static let mustBeNil = ErrorItem("validation_nil", "Must be blank.")
    static let nilOrNotEmpty = ErrorItem("validation_nil_or_not_empty_required", "Cannot be blank.")
    static let isDomain = ErrorItem("validation_is_domain", "Must be a valid domain.")

    /// `validation.Length(min, max)` on text that is too long or too short (byte length, as ozzo counts).
    static func length(min: Int, max: Int) -> ErrorItem {
        let params: [String: JSONValue] = ["min": .number(Double(min)), "max": .number(Double(max))]
        if min == 0 {
            return ErrorItem("validation_length_too_long", "The length must be no more than \(max).", params: params)
        }
        if max == 0 {
            return ErrorItem("validation_length_too_short", "The length must be no less than \(min).", params: params)
        }
        if min == max {
            return ErrorItem("validation_length_invalid", "The length must be exactly \(min).", params: params)
        }
        return ErrorItem(
            "validation_length_out_of_range", "The length must be between \(min) and \(max).", params: params)
    }

    /// `validators.IsRegex`. PocketBase's message is Go's parser error text, which Swiftbase cannot reproduce.
    static let invalidRegex = ErrorItem("validation_invalid_regex", "Error parsing regexp: invalid pattern.")
}

// MARK: - Field settings

extension ErrorItem {
    static let foundVia = ErrorItem("validation_found_via", "The value cannot contain \"_via_\".")
    static let primaryKeyName = ErrorItem("validation_in_invalid", "The primary key must be named \"id\".")
    static let compositePK = ErrorItem(
        "validation_unsupported_composite_pk", "Composite PKs are not supported and the collection must have only 1 PK.")

    static func invalidAutogeneratePattern(_ reason: String) -> ErrorItem {
        ErrorItem("validation_invalid_autogenerate_pattern", reason)
    }

    static func autogeneratePatternValue(_ example: String) -> ErrorItem {
        ErrorItem(
            "validation_invalid_autogenerate_pattern_value",
            "The provided autogenerate pattern could produce invalid field values, ex.: \(GoCast.quoted(example)).")
    }

    static let autodateNeedsTrigger = ErrorItem("validation_required", "Either onCreate or onUpdate must be enabled.")
    static let relationChange = ErrorItem(
        "validation_field_relation_change", "The relation collection cannot be changed.")
    static let relationMissingCollection = ErrorItem(
        "validation_field_relation_missing_collection", "The relation collection doesn't exist.")
    static let relationToView = ErrorItem(
        "validation_relation_field_non_view_base_collection",
        "Only view collections are allowed to have relations to other views.")
}
