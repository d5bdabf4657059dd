/// `autodate`: a datetime the record service sets on create and/or update; client input never reaches it,
/// so values pass through unchanged and are not validated.
extension AutodateFieldOptions: FieldBehavior {
    public init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(onCreate: try reader.bool("onCreate"), onUpdate: try reader.bool("onUpdate"))
    }

    public func encode(into json: inout [String: JSONValue]) {
        json["onCreate"] = .bool(onCreate)
        json["onUpdate"] = .bool(onUpdate)
    }

    /// SQLite cannot add a column whose default is not constant, so the default is `''`.
    public func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    public func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    public func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue { raw }

    public func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? { nil }

    public func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? "")
    }

    public func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .string(value.textValue ?? "")
    }

    /// At least one of `onCreate`/`onUpdate` (an unchanged system field is checked by `CollectionValidator`).
    public func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        if onCreate || onUpdate { return [:] }
        return ["onCreate": .autodateNeedsTrigger, "onUpdate": .autodateNeedsTrigger]
    }
}
