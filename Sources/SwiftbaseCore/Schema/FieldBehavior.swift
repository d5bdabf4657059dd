/// What every field type knows about itself: its options' JSON form, its SQL column, how input is cast,
/// validated, stored and read back. One conforming type per field type, in `Schema/Fields/`.
///
/// Values move through three forms: raw input (`JSONValue` from a JSON or form body) → canonical
/// (`prepare`, still `JSONValue`, e.g. a number field's `"7"` becomes `.number(7)`) → stored (`SQLValue`).
/// Record JSON output uses the canonical form read back with `jsonValue(_:for:)`.
package protocol FieldBehavior: Sendable {
    /// Reads the type's option keys from a field object. Missing keys take PocketBase's defaults; a key of
    /// the wrong JSON type throws `SwiftbaseError.badRequest("Failed to load the submitted data due to invalid formatting.")`.
    init(json: [String: JSONValue]) throws(SwiftbaseError)

    /// Writes the type's option keys (all of them, defaults included, as PocketBase serializes them).
    func encode(into json: inout [String: JSONValue])

    /// The column type and constraints after the column name, e.g. `TEXT DEFAULT '' NOT NULL`.
    func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String

    /// The value a record has when nothing was ever set (`""`, `0`, `false`, `[]`, `null`).
    func zeroValue(for field: FieldModel) -> JSONValue

    /// Casts raw input to the canonical value, as PocketBase casts (non-numeric text → 0 for numbers, a single
    /// value → one-element array for multi fields, the last value for single selects, …). Never fails.
    func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue

    /// Validates a canonical value against `required` and the type's options. Relation existence and
    /// uniqueness need the database and are checked by the record service, not here.
    func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem?

    /// Canonical value → bound SQL value.
    func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue

    /// Stored SQL value → canonical value (what record JSON shows).
    func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue

    /// Validates the options themselves when a collection is saved (e.g. select `values` not empty,
    /// relation `collectionId` existing). Errors are keyed by option name.
    func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem]

    /// Applies a body-key modifier (`field+`, `+field`, `field-`) to the current canonical value.
    /// Returns nil when the type does not support that modifier (the key is then ignored).
    func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
}

/// A modifier suffix or prefix on a body key.
package enum FieldModifier: Sendable, Equatable {
    /// `field+`: add (numbers) or append (multi values).
    case append
    /// `+field`: prepend (multi values).
    case prepend
    /// `field-`: subtract (numbers) or remove (multi values).
    case remove
}

extension FieldBehavior {
    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] { [:] }

    package func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
    { nil }
}
