/// The type of a field with its type-specific options. Each case's options type lives in
/// `Schema/Fields/<Type>Field.swift` and implements `FieldBehavior`.
public enum FieldOptions: Sendable, Equatable {
    case text(TextFieldOptions)
    case number(NumberFieldOptions)
    case bool(BoolFieldOptions)
    case email(EmailFieldOptions)
    case url(URLFieldOptions)
    case editor(EditorFieldOptions)
    case date(DateFieldOptions)
    case autodate(AutodateFieldOptions)
    case select(SelectFieldOptions)
    case json(JSONFieldOptions)
    case relation(RelationFieldOptions)
    case file(FileFieldOptions)
    case password(PasswordFieldOptions)
    case geoPoint(GeoPointFieldOptions)

    public static let allTypeNames = [
        "text", "number", "bool", "email", "url", "editor", "date", "autodate", "select", "json", "relation",
        "file", "password", "geoPoint",
    ]

    public var typeName: String {
        switch self {
        case .text: "text"
        case .number: "number"
        case .bool: "bool"
        case .email: "email"
        case .url: "url"
        case .editor: "editor"
        case .date: "date"
        case .autodate: "autodate"
        case .select: "select"
        case .json: "json"
        case .relation: "relation"
        case .file: "file"
        case .password: "password"
        case .geoPoint: "geoPoint"
        }
    }
}
