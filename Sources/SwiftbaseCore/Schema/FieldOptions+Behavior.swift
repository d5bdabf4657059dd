extension FieldOptions {
    /// The behaviour of this field type: its options value itself, seen through `FieldBehavior`.
    package var behavior: any FieldBehavior {
        switch self {
        case .text(let o): o
        case .number(let o): o
        case .bool(let o): o
        case .email(let o): o
        case .url(let o): o
        case .editor(let o): o
        case .date(let o): o
        case .autodate(let o): o
        case .select(let o): o
        case .json(let o): o
        case .relation(let o): o
        case .file(let o): o
        case .password(let o): o
        case .geoPoint(let o): o
        }
    }

    /// Decodes the options of type `type` from a field object; nil for an unknown type.
    package static func decode(type: String, from json: [String: JSONValue]) throws(SwiftbaseError) -> FieldOptions? {
        switch type {
        case "text": .text(try TextFieldOptions(json: json))
        case "number": .number(try NumberFieldOptions(json: json))
        case "bool": .bool(try BoolFieldOptions(json: json))
        case "email": .email(try EmailFieldOptions(json: json))
        case "url": .url(try URLFieldOptions(json: json))
        case "editor": .editor(try EditorFieldOptions(json: json))
        case "date": .date(try DateFieldOptions(json: json))
        case "autodate": .autodate(try AutodateFieldOptions(json: json))
        case "select": .select(try SelectFieldOptions(json: json))
        case "json": .json(try JSONFieldOptions(json: json))
        case "relation": .relation(try RelationFieldOptions(json: json))
        case "file": .file(try FileFieldOptions(json: json))
        case "password": .password(try PasswordFieldOptions(json: json))
        case "geoPoint": .geoPoint(try GeoPointFieldOptions(json: json))
        default: nil
        }
    }
}
