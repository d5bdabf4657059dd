/// The rules of a `timeseries` collection: exactly one date field (the time), text and single-select fields
/// as tags, number fields as values, nothing else; retentions well-formed, for known rollup levels only.
enum TimeSeriesValidation {
    static let fieldTypeProblem = ErrorItem(
        "validation_timeseries_field_type",
        "A time-series collection takes only text and single select tags, number values and one date field.")
    static let timeFieldProblem = ErrorItem(
        "validation_timeseries_time_field", "A time-series collection needs exactly one date field (its time).")
    static let retentionProblem = ErrorItem(
        "validation_invalid_retention", "Must be a whole number with a unit (s, m, h, d, w), or empty to keep forever.")
    static let unknownLevel = ErrorItem("validation_unknown_rollup", "Rollup levels are 1m and 1h.")

    static func validate(_ collection: CollectionModel, into errors: inout ErrorTree) {
        var dateFields = 0
        for (i, field) in collection.fields.enumerated() {
            switch field.options {
            case .text, .number: continue
            case .select where !field.isMultiple: continue
            case .date:
                dateFields += 1
                if dateFields > 1 { errors["fields.\(i).type"] = timeFieldProblem }
            default:
                errors["fields.\(i).type"] = fieldTypeProblem
            }
        }
        if dateFields == 0 { errors["fields"] = timeFieldProblem }
        let options = collection.timeSeries ?? TimeSeriesOptions()
        if TimeSeriesOptions.seconds(of: options.rawRetention) == nil { errors["timeseries.rawRetention"] = retentionProblem }
        for (level, text) in options.rollupRetention {
            if !RollupLevel.allCases.contains(where: { $0.name == level }) {
                errors["timeseries.rollups.\(level)"] = unknownLevel
            } else if TimeSeriesOptions.seconds(of: text) == nil {
                errors["timeseries.rollups.\(level)"] = retentionProblem
            }
        }
    }
}
