/// `url`: a URL; `onlyDomains`/`exceptDomains` match its host (with port, as Go reports it).
extension URLFieldOptions: FieldBehavior {
    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(onlyDomains: try reader.strings("onlyDomains"), exceptDomains: try reader.strings("exceptDomains"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["onlyDomains"] = onlyDomains.jsonArray
        json["exceptDomains"] = exceptDomains.jsonArray
    }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        "TEXT DEFAULT '' NOT NULL"
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { .string("") }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        if case .string = raw { return raw }
        return .string(GoCast.string(raw))
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let text = value.stringValue ?? GoCast.string(value)
        if text.isEmpty { return field.required ? .required : nil }
        guard AddressFormat.isURL(text) else { return .invalidURL }
        let host = AddressFormat.urlHost(text)
        if !onlyDomains.isEmpty, !onlyDomains.contains(host) { return .urlDomainNotAllowed }
        if !exceptDomains.isEmpty, exceptDomains.contains(host) { return .urlDomainNotAllowed }
        return nil
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        .text(value.stringValue ?? GoCast.string(value))
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        .string(value.textValue ?? "")
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        DomainListOptions.errors(onlyDomains: onlyDomains, exceptDomains: exceptDomains)
    }
}
