import GraphQL
import SwiftbaseCore

/// What a value looks like in GraphQL, for output, comparison and input alike.
enum ValueType: Sendable, Equatable {
    case string
    case int
    case float
    case boolean
    /// PocketBase's date text (`2024-01-02 03:04:05.678Z`), as the `DateTime` scalar.
    case dateTime
    case json
    case geoPoint
    /// Multi select, multi file, a multi relation to a collection outside the schema: `[String!]`.
    case stringList
}

/// One output field of a collection's GraphQL type and where its value comes from.
struct FieldShape: Sendable {
    enum Kind: Sendable {
        /// `id`, `collectionId`, `collectionName`: always present.
        case system(String)
        /// A stored field answered as its value.
        case value(FieldModel, ValueType)
        /// A file field's names (`avatar`); `isList` for multi files.
        case file(FieldModel, isList: Bool)
        /// The companion `<field>_url`: `/api/files/<collectionId>/<recordId>/<name>` for each name.
        case fileURL(FieldModel, isList: Bool)
        /// A relation answered as the related record (`author`), or the list of them (multi).
        case relation(FieldModel, targetType: String, isList: Bool)
        /// Records of another collection pointing here, named as PocketBase's expand names them
        /// (`comments_via_post`); one record when the pointing field has a unique index, as expand does.
        case backRelation(expandKey: String, sourceType: String, via: FieldModel, isList: Bool)
    }

    /// The GraphQL name.
    let name: String
    let kind: Kind

    /// The record field's name where there is one (the key in the record JSON and in filters).
    var storedName: String? {
        switch kind {
        case .system(let name): name
        case .value(let field, _), .file(let field, _), .relation(let field, _, _): field.name
        case .fileURL, .backRelation: nil
        }
    }

    /// The `expand` key that loads this field's records, for relations and back-relations.
    var expandKey: String? {
        switch kind {
        case .relation(let field, _, _): field.name
        case .backRelation(let key, _, _, _): key
        default: nil
        }
    }

    /// Where one occurrence of the field finds its records under `expand`: a list back-relation given arguments
    /// (`recent: comments_via_post(limit: 3)`) under a key of its own per response key — fields that share a
    /// response key share their arguments, GraphQL's validation sees to it — any other under `expandKey`.
    func expandKey(for occurrence: Field) -> String? {
        guard case .backRelation(let key, _, _, true) = kind, !occurrence.arguments.isEmpty else { return expandKey }
        return key + "@" + (occurrence.alias?.value ?? occurrence.name.value)
    }
}

extension ValueType {
    /// The field's type in GraphQL; `nil` for fields that never appear (passwords).
    static func of(_ field: FieldModel) -> ValueType? {
        switch field.options {
        case .text, .email, .url, .editor: .string
        case .number(let options): options.onlyInt ? .int : .float
        case .bool: .boolean
        case .date, .autodate: .dateTime
        case .select: field.isMultiple ? .stringList : .string
        case .json: .json
        case .geoPoint: .geoPoint
        case .relation, .file: field.isMultiple ? .stringList : .string
        case .password: nil
        }
    }

    /// The comparison input `where` offers for this type; none for JSON and geo points.
    var comparison: ScalarComparison? {
        switch self {
        case .string: .string
        case .int: .int
        case .float: .float
        case .boolean: .boolean
        case .dateTime: .dateTime
        case .stringList: .stringArray
        case .json, .geoPoint: nil
        }
    }

    /// Whether `order_by` may sort by it.
    var isSortable: Bool {
        switch self {
        case .string, .int, .float, .boolean, .dateTime: true
        case .json, .geoPoint, .stringList: false
        }
    }
}
