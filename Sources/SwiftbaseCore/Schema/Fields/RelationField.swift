/// `relation`: ids of records of `collectionId`, one (`maxSelect` ≤ 1, stored as text) or several (a JSON
/// array). Whether the ids exist is checked by the record service against the database.
extension RelationFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(
            collectionId: try reader.string("collectionId"), cascadeDelete: try reader.bool("cascadeDelete"),
            minSelect: try reader.int("minSelect"), maxSelect: try reader.int("maxSelect"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["collectionId"] = .string(collectionId)
        json["cascadeDelete"] = .bool(cascadeDelete)
        json["minSelect"] = .number(Double(minSelect))
        json["maxSelect"] = .number(Double(maxSelect))
    }

    package var isMultiple: Bool { maxSelect > 1 }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        MultiValue.columnDefinition(multiple: isMultiple)
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { MultiValue.zeroValue(multiple: isMultiple) }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        MultiValue.canonical(GoCast.uniqueStrings(raw), multiple: isMultiple)
    }

    /// The ids of a canonical (or raw) value, normalized: what the record service looks up.
    package func ids(in value: JSONValue) -> [String] {
        GoCast.uniqueStrings(value)
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let ids = GoCast.uniqueStrings(value)
        if ids.isEmpty { return field.required ? .required : nil }
        if minSelect > 0, ids.count < minSelect { return .notEnoughValues(minSelect) }
        let limit = Swift.max(maxSelect, 1)
        if ids.count > limit { return .tooManyValues(limit) }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        MultiValue.sqlValue(GoCast.uniqueStrings(value), multiple: isMultiple)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        MultiValue.jsonValue(value, multiple: isMultiple)
    }

    /// `collectionId` must be the id of an existing collection. A changed target and relations from a
    /// non-view collection to a view are checked by `CollectionValidator`, which knows both collections.
    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        var errors: [String: ErrorItem] = [:]
        if collectionId.isEmpty {
            errors["collectionId"] = .required
        } else if schema.collection(collectionId)?.id != collectionId {
            errors["collectionId"] = .relationMissingCollection
        }
        if minSelect < 0 { errors["minSelect"] = .noLessThan(0) }
        if minSelect > 0, maxSelect == 0 {
            errors["maxSelect"] = .required
        } else if maxSelect != 0, maxSelect < minSelect {
            errors["maxSelect"] = .noLessThan(Double(minSelect))
        }
        return errors
    }

    package func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
    {
        MultiValue.apply(
            modifier, operand: GoCast.uniqueStrings(operand), to: GoCast.uniqueStrings(current), multiple: isMultiple)
    }
}
