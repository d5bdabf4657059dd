import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Describes a root list field's selection as a `RecordProjection`, for `RecordService.listJSON` to have the
/// database build the answer in one statement. Only selections whose every value the database renders as
/// `Completion` would are described: ids, texts (text, email, url, editor, single select, dates, a single
/// relation to a collection outside the schema), numbers, bools, `__typename`, single relations and
/// back-relations, each with such a selection — with aliases, fragments and `@skip`/`@include` as the
/// collector gathers them. Anything else (json, geo points, multi-valued fields, files and their URLs, multi
/// relations) throws, and the field is answered the usual way.
struct ListProjectionPlanner {
    let catalog: GraphQLCatalog
    let collector: SelectionCollector
    /// For back-relations given arguments (each record's own page).
    let schema: GraphQLSchema
    let maxPageSize: Int

    struct Unsupported: Error {}

    func projection(of fields: [Field], on shape: CollectionShape) throws -> RecordProjection {
        var members: [RecordProjection.Member] = []
        for (key, nested) in try collector.collect(fields.compactMap(\.selectionSet), on: shape.typeName) {
            let name = nested[0].name.value
            if name == "__typename" {
                members.append(.constant(key: key, text: shape.typeName))
                continue
            }
            guard let field = shape.field(name) else { throw Unsupported() }
            members.append(try member(key: key, field: field, nested: nested, shape: shape))
        }
        return RecordProjection(members)
    }

    private func member(key: String, field: FieldShape, nested: [Field], shape: CollectionShape) throws
        -> RecordProjection.Member
    {
        let collection = shape.collection
        switch field.kind {
        case .system("id"):
            return .field(key: key, name: "id", kind: .text)
        case .system("collectionId"):
            return .constant(key: key, text: collection.id)
        case .system("collectionName"):
            return .constant(key: key, text: collection.name)
        case .value(let stored, let type):
            switch type {
            case .string, .dateTime:
                if collection.isAuth, stored.name == "email" { return .email(key: key) }
                return .field(key: key, name: stored.name, kind: .text)
            case .int, .float:
                return .field(key: key, name: stored.name, kind: .number)
            case .boolean:
                return .field(key: key, name: stored.name, kind: .bool)
            case .json, .geoPoint, .stringList:
                throw Unsupported()
            }
        case .relation(let stored, let targetType, let isList):
            guard !isList, let target = catalog.shape(type: targetType) else { throw Unsupported() }
            return .toOne(
                key: key, field: stored, target: target.collection,
                projection: try projection(of: nested, on: target))
        case .backRelation(_, let sourceType, let via, let isList):
            guard isList, let source = catalog.shape(type: sourceType) else { throw Unsupported() }
            var slice: ExpandSlice?
            if !nested[0].arguments.isEmpty {
                // Each record's own page; every occurrence under this response key has the same arguments.
                let args = try RelationPageArguments.coerced(
                    nested[0], on: shape.typeName, schema: schema, variables: collector.variables)
                slice = try RelationPageArguments.slice(args, on: source, catalog: catalog, maxPageSize: maxPageSize)
            }
            return .backRelation(
                key: key, source: source.collection, field: via, projection: try projection(of: nested, on: source),
                slice: slice)
        default:
            throw Unsupported()
        }
    }
}
