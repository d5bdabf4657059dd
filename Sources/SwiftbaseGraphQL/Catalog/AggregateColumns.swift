import SwiftbaseCore

/// A field aggregates and groups may read, with its GraphQL name and type.
struct AggregateColumn: Sendable {
    let name: String
    let field: FieldModel
    let type: ValueType
}

extension CollectionShape {
    /// The fields `function` may read (nil: the fields `count(columns:)` and `group_by(by:)` take), as the
    /// core allows them to a requester who is not a superuser: one schema serves every identity.
    func aggregateColumns(for function: RecordAggregation.Function?) -> [AggregateColumn] {
        fields.compactMap { shape -> AggregateColumn? in
            let column: (FieldModel, ValueType)?
            switch shape.kind {
            case .system(let name) where name == "id":
                column = collection.field(named: "id").map { ($0, .string) }
            case .value(let field, let type):
                column = (field, type)
            case .file(let field, false), .relation(let field, _, false):
                column = (field, .string)
            default:
                column = nil
            }
            guard let (field, type) = column,
                RecordAggregation.allows(function, field: field, in: collection, superuser: false)
            else { return nil }
            return AggregateColumn(name: shape.name, field: field, type: type)
        }
    }
}
