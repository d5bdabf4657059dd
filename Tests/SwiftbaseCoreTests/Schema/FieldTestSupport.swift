@testable import SwiftbaseCore

/// A field of the given options, for behaviour tests.
func makeField(_ options: FieldOptions, name: String = "f", required: Bool = false) -> FieldModel {
    FieldModel(id: "f1", name: name, required: required, options: options)
}

extension FieldModel {
    var behavior: any FieldBehavior { options.behavior }
    func prepare(_ raw: JSONValue) -> JSONValue { behavior.prepare(raw, for: self) }
    func validate(_ value: JSONValue) -> ErrorItem? { behavior.validate(value, for: self) }
    /// Prepares then validates, as the record service does, returning the error code (nil when valid).
    func code(_ raw: JSONValue) -> String? { validate(prepare(raw))?.code }
    func roundTrip(_ value: JSONValue) -> JSONValue { behavior.jsonValue(behavior.sqlValue(value, for: self), for: self) }
}
