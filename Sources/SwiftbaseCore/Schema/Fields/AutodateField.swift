/// `autodate`: a datetime the record service sets on create and/or update; client input never reaches it,
/// so values pass through unchanged and are not validated.
extension AutodateFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(onCreate: try reader.bool("onCreate"), onUpdate: try reader.bool("onUpdate"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["onCreate"] = .bool(onCreate)
        json["onUpdate"] = .bool(onUpdate)
    }

    /// SQLite cannot add a column whose default is not constant, so the default is `''`.
    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue { raw }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? { nil }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? "")
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .string(value.textValue ?? "")
    }

    /// At least one of `onCreate`/`onUpdate` (an unchanged system field is checked by `CollectionValidator`).
    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        if onCreate || onUpdate { return [:] }
        return ["onCreate": .autodateNeedsTrigger, "onUpdate": .autodateNeedsTrigger]
    }
}
