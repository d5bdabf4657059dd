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
    /// Whether error paths are tracked. Errors are rare: a first walk builds no paths and, if anything failed,
    /// the walk is done again with them (`FastQuery` does), so the answer is the same either way.
    let tracksPaths: Bool
    /// The fields of an object's selection by where it sits in the answer (its response keys from the root,
    /// list positions left out): every record of a list shares one, collected once.
    private var plans: [String: [PlannedField]] = [:]

    /// One field of an object's selection: its response key, its name, its occurrences and its definition
    /// (nil for `__typename`).
    struct PlannedField {
        let key: String
        let name: String
        let fields: [Field]
        let config: GraphQLField?
        let storedShape: FieldShape?
    }

    init(bundle: GraphQLSchemaBundle, collector: SelectionCollector, tracksPaths: Bool) {
        self.bundle = bundle
        self.collector = collector
        self.tracksPaths = tracksPaths
    }

    private func extend(_ path: IndexPath, _ element: any IndexPathElement) -> IndexPath {
        tracksPaths ? path.appending(element) : path
    }

    /// A field's value: errors stop here unless the type is non-null.
    mutating func catching(
        _ result: Result<(any Sendable)?, any Error>, type: any GraphQLType, fields: [Field], path: IndexPath,
        plan: String, parent: String, field: String
    ) throws -> Map {
        do {
            return try located(fields: fields, path: path) { completion in
                try completion.complete(
                    result.get(), type: type, fields: fields, path: path, plan: plan, parent: parent, field: field)
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
        _ value: (any Sendable)?, type: any GraphQLType, fields: [Field], path: IndexPath, plan: String, parent: String,
        field: String
    ) throws -> Map {
        if let nonNull = type as? GraphQLNonNull {
            let inner = try complete(
                value, type: nonNull.ofType, fields: fields, path: path, plan: plan, parent: parent, field: field)
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
                        .success(item), type: list.ofType, fields: fields, path: extend(path, index), plan: plan,
                        parent: parent, field: field))
            }
            return .array(out)
        case let scalar as GraphQLScalarType:
            if let map = value as? Map, let serialized = Self.builtin(scalar, map) { return serialized }
            return try scalar.serialize(value: value)
        case let enumeration as GraphQLEnumType:
            return try enumeration.serialize(value: value)
        case let object as GraphQLObjectType:
            return try completeObject(value, object: object, fields: fields, path: path, plan: plan)
        default:
            throw GraphQLError(message: "Cannot complete value of unexpected type \"\(type)\".")
        }
    }

    private mutating func completeObject(
        _ value: any Sendable, object: GraphQLObjectType, fields: [Field], path: IndexPath, plan: String
    ) throws -> Map {
        let planned = try self.planned(object, fields: fields, plan: plan)
        let node = value as? RecordNode
        let point = node == nil ? value as? [String: JSONValue] : nil
        var out = OrderedDictionary<String, Map>()
        out.reserveCapacity(planned.count)
        for entry in planned {
            guard let config = entry.config else {
                out[entry.key] = .string(object.name)
                continue
            }
            let resolved: (any Sendable)?
            if let node {
                resolved = entry.storedShape.flatMap { node.value(of: $0) }
            } else if let point {
                resolved = point[entry.name]?.doubleValue.map { Map.number(Number($0)) }
            } else {
                resolved = nil
            }
            out[entry.key] = try catching(
                .success(resolved), type: config.type, fields: entry.fields, path: extend(path, entry.key),
                plan: plan + "." + entry.key, parent: object.name, field: entry.name)
        }
        return .dictionary(out)
    }

    /// The selection of an object at `plan`, collected and looked up once per run.
    private mutating func planned(_ object: GraphQLObjectType, fields: [Field], plan: String) throws -> [PlannedField] {
        if let known = plans[plan] { return known }
        let shape = bundle.catalog.shape(type: object.name)
        let configs = bundle.objectFields[object.name] ?? [:]
        var planned: [PlannedField] = []
        for (key, nested) in try collector.collect(fields.compactMap(\.selectionSet), on: object.name) {
            let name = nested[0].name.value
            if name == "__typename" {
                planned.append(PlannedField(key: key, name: name, fields: nested, config: nil, storedShape: nil))
            } else if let config = configs[name] {
                planned.append(
                    PlannedField(key: key, name: name, fields: nested, config: config, storedShape: shape?.field(name)))
            }
        }
        plans[plan] = planned
        return planned
    }

    /// The built-in scalars' serialization of the values records hold, as the package's serializers answer
    /// them, without their locks and casts; nil for anything else (the package serializes it).
    private static func builtin(_ scalar: GraphQLScalarType, _ value: Map) -> Map? {
        switch value {
        case .string where scalar === GraphQLString: value
        case .number(let number) where scalar === GraphQLInt: .int(number.intValue)
        case .number(let number) where scalar === GraphQLFloat: .double(number.doubleValue)
        case .bool where scalar === GraphQLBoolean: value
        default: nil
        }
    }

    private static func isNull(_ value: any Sendable) -> Bool {
        if let map = value as? Map { return map == .null || map == .undefined }
        return false
    }
}
