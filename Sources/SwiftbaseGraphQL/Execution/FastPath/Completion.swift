import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Completes resolved values into the answer as the GraphQL package's executor does (its `completeValue`),
/// for the types `FastQuery` takes: lists, scalars serialized by the schema's types, record objects read from
/// their `RecordNode`, geo points. A nullable field's error is recorded and the field is null; a non-null
/// field's error or null propagates to its parent.
///
/// Each object's selection is planned once per position in the answer (every record of a list shares it),
/// with its fields' types sorted into `OutputType`, so completing a record is a walk over typed values with no
/// existential casts and no per-record lookups beyond its own fields.
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

    /// One field of an object's selection: its response key, its name, its occurrences, its definition
    /// (nil for `__typename`), its output type and where its own object selection is planned.
    struct PlannedField {
        let key: String
        let name: String
        let fields: [Field]
        let config: GraphQLField?
        let output: OutputType
        let storedShape: FieldShape?
        let childPlan: String
    }

    init(bundle: GraphQLSchemaBundle, collector: SelectionCollector, tracksPaths: Bool) {
        self.bundle = bundle
        self.collector = collector
        self.tracksPaths = tracksPaths
    }

    private func extend(_ path: IndexPath, _ element: any IndexPathElement) -> IndexPath {
        tracksPaths ? path.appending(element) : path
    }

    /// A root field's value: errors stop here unless the type is non-null.
    mutating func catching(
        _ result: Result<(any Sendable)?, any Error>, type: any GraphQLType, fields: [Field], path: IndexPath,
        plan: String, parent: String, field: String
    ) throws -> Map {
        let output = OutputType(type)
        let resolved: ResolvedValue
        do {
            resolved = ResolvedValue(try result.get())
        } catch {
            let located = Self.locate(error, fields: fields, path: path)
            guard !output.isNonNull else { throw located }
            errors.append(located)
            return .null
        }
        return try catching(resolved, output: output, fields: fields, path: path, plan: plan, parent: parent, field: field)
    }

    private mutating func catching(
        _ value: ResolvedValue, output: OutputType, fields: [Field], path: IndexPath, plan: String, parent: String,
        field: String
    ) throws -> Map {
        do {
            return try complete(value, output: output, fields: fields, path: path, plan: plan, parent: parent, field: field)
        } catch {
            let located = Self.locate(error, fields: fields, path: path)
            guard !output.isNonNull else { throw located }
            errors.append(located)
            return .null
        }
    }

    private static func locate(_ error: any Error, fields: [Field], path: IndexPath) -> GraphQLError {
        if let error = error as? GraphQLError { return error }
        return GraphQLError(message: String(describing: error), nodes: fields, path: path, originalError: error)
    }

    private mutating func complete(
        _ value: ResolvedValue, output: OutputType, fields: [Field], path: IndexPath, plan: String, parent: String,
        field: String
    ) throws -> Map {
        switch output {
        case .nonNull(let inner):
            let completed = try complete(
                value, output: inner, fields: fields, path: path, plan: plan, parent: parent, field: field)
            guard completed != .null else {
                throw GraphQLError(message: "Cannot return null for non-nullable field \(parent).\(field).")
            }
            return completed
        default:
            break
        }
        switch value {
        case .null: return .null
        case .leaf(let map) where map == .null || map == .undefined: return .null
        default: break
        }
        switch output {
        case .nonNull: return .null  // handled above
        case .list(let itemType):
            guard case .list(let items) = value else {
                throw GraphQLError(message: "Expected array, but did not find one for field \(parent).\(field).")
            }
            var out: [Map] = []
            out.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                out.append(
                    try catching(
                        item, output: itemType, fields: fields, path: extend(path, index), plan: plan, parent: parent,
                        field: field))
            }
            return .array(out)
        case .builtin(let scalar):
            if case .leaf(let map) = value, let serialized = Self.builtin(scalar, map) { return serialized }
            return try scalar.serialize(value: Self.serializable(value))
        case .scalar(let scalar):
            return try scalar.serialize(value: Self.serializable(value))
        case .enumeration(let enumeration):
            return try enumeration.serialize(value: Self.serializable(value))
        case .object(let object):
            return try completeObject(value, object: object, fields: fields, path: path, plan: plan)
        case .unexpected(let type):
            throw GraphQLError(message: "Cannot complete value of unexpected type \"\(type)\".")
        }
    }

    private mutating func completeObject(
        _ value: ResolvedValue, object: GraphQLObjectType, fields: [Field], path: IndexPath, plan: String
    ) throws -> Map {
        let planned = try self.planned(object, fields: fields, plan: plan)
        var out = OrderedDictionary<String, Map>()
        out.reserveCapacity(planned.count)
        for entry in planned {
            guard entry.config != nil else {
                out[entry.key] = .string(object.name)
                continue
            }
            let resolved: ResolvedValue
            switch value {
            case .record(let node):
                resolved = entry.storedShape.map { node.resolved(of: $0, occurrence: entry.fields.first) } ?? .null
            case .point(let point):
                resolved = point[entry.name]?.doubleValue.map { .leaf(.number(Number($0))) } ?? .null
            default:
                resolved = .null
            }
            out[entry.key] = try catching(
                resolved, output: entry.output, fields: entry.fields, path: extend(path, entry.key),
                plan: entry.childPlan, parent: object.name, field: entry.name)
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
                planned.append(
                    PlannedField(
                        key: key, name: name, fields: nested, config: nil, output: .unexpected(""), storedShape: nil,
                        childPlan: ""))
            } else if let config = configs[name] {
                planned.append(
                    PlannedField(
                        key: key, name: name, fields: nested, config: config, output: OutputType(config.type),
                        storedShape: shape?.field(name), childPlan: plan + "." + key))
            }
        }
        plans[plan] = planned
        return planned
    }

    /// What the package's serializers are handed: the value as its resolvers answer it, never wrapped in an
    /// optional.
    private static func serializable(_ value: ResolvedValue) -> any Sendable {
        value.sendable ?? Map.null
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
}

/// An output type sorted once into what completing it does.
indirect enum OutputType {
    case nonNull(OutputType)
    case list(OutputType)
    /// `String`, `Int`, `Float`, `Boolean`: serialized without the package's locks where the value allows.
    case builtin(GraphQLScalarType)
    case scalar(GraphQLScalarType)
    case enumeration(GraphQLEnumType)
    case object(GraphQLObjectType)
    case unexpected(String)

    init(_ type: any GraphQLType) {
        switch type {
        case let nonNull as GraphQLNonNull: self = .nonNull(OutputType(nonNull.ofType))
        case let list as GraphQLList: self = .list(OutputType(list.ofType))
        case let scalar as GraphQLScalarType:
            let builtins = [GraphQLString, GraphQLInt, GraphQLFloat, GraphQLBoolean]
            self = builtins.contains { $0 === scalar } ? .builtin(scalar) : .scalar(scalar)
        case let enumeration as GraphQLEnumType: self = .enumeration(enumeration)
        case let object as GraphQLObjectType: self = .object(object)
        default: self = .unexpected("\(type)")
        }
    }

    var isNonNull: Bool {
        if case .nonNull = self { return true }
        return false
    }
}
