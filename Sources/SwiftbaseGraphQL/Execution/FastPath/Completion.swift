import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Completes resolved values into the answer as the GraphQL package's executor does (its `completeValue`),
/// for the types `FastQuery` takes: lists, scalars serialized by the schema's types, record objects read from
/// their `RecordNode`, geo points. A nullable field's error is recorded and the field is null; a non-null
/// field's error or null propagates to its parent.
struct Completion {
    let bundle: GraphQLSchemaBundle
    let collector: SelectionCollector
    private(set) var errors: [GraphQLError] = []

    init(bundle: GraphQLSchemaBundle, collector: SelectionCollector) {
        self.bundle = bundle
        self.collector = collector
    }

    /// A field's value: errors stop here unless the type is non-null.
    mutating func catching(
        _ result: Result<(any Sendable)?, any Error>, type: any GraphQLType, fields: [Field], path: IndexPath,
        parent: String, field: String
    ) throws -> Map {
        do {
            return try located(fields: fields, path: path) { completion in
                try completion.complete(result.get(), type: type, fields: fields, path: path, parent: parent, field: field)
            }
        } catch let error as GraphQLError where !(type is GraphQLNonNull) {
            errors.append(error)
            return .null
        }
    }

    private mutating func located(fields: [Field], path: IndexPath, _ body: (inout Completion) throws -> Map) throws
        -> Map
    {
        do {
            return try body(&self)
        } catch let error as GraphQLError {
            throw error
        } catch {
            throw GraphQLError(message: String(describing: error), nodes: fields, path: path, originalError: error)
        }
    }

    private mutating func complete(
        _ value: (any Sendable)?, type: any GraphQLType, fields: [Field], path: IndexPath, parent: String, field: String
    ) throws -> Map {
        if let nonNull = type as? GraphQLNonNull {
            let inner = try complete(value, type: nonNull.ofType, fields: fields, path: path, parent: parent, field: field)
            guard inner != .null else {
                throw GraphQLError(message: "Cannot return null for non-nullable field \(parent).\(field).")
            }
            return inner
        }
        guard let value, !Self.isNull(value) else { return .null }
        switch type {
        case let list as GraphQLList:
            guard let items = value as? [(any Sendable)?] else {
                throw GraphQLError(message: "Expected array, but did not find one for field \(parent).\(field).")
            }
            var out: [Map] = []
            out.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                out.append(
                    try catching(
                        .success(item), type: list.ofType, fields: fields, path: path.appending(index), parent: parent,
                        field: field))
            }
            return .array(out)
        case let scalar as GraphQLScalarType:
            return try scalar.serialize(value: value)
        case let enumeration as GraphQLEnumType:
            return try enumeration.serialize(value: value)
        case let object as GraphQLObjectType:
            return try completeObject(value, object: object, fields: fields, path: path)
        default:
            throw GraphQLError(message: "Cannot complete value of unexpected type \"\(type)\".")
        }
    }

    private mutating func completeObject(_ value: any Sendable, object: GraphQLObjectType, fields: [Field], path: IndexPath)
        throws -> Map
    {
        let shape = bundle.catalog.shape(type: object.name)
        let configs = bundle.objectFields[object.name] ?? [:]
        var out = OrderedDictionary<String, Map>()
        for (key, nested) in try collector.collect(fields.compactMap(\.selectionSet), on: object.name) {
            let name = nested[0].name.value
            if name == "__typename" {
                out[key] = .string(object.name)
                continue
            }
            guard let config = configs[name] else { continue }
            let resolved: (any Sendable)?
            if let node = value as? RecordNode, let shape {
                resolved = shape.field(name).flatMap { node.value(of: $0) }
            } else if let point = value as? [String: JSONValue] {
                resolved = point[name]?.doubleValue.map { Map.number(Number($0)) }
            } else {
                resolved = nil
            }
            out[key] = try catching(
                .success(resolved), type: config.type, fields: nested, path: path.appending(key), parent: object.name,
                field: name)
        }
        return .dictionary(out)
    }

    private static func isNull(_ value: any Sendable) -> Bool {
        if let map = value as? Map { return map == .null || map == .undefined }
        return false
    }
}
