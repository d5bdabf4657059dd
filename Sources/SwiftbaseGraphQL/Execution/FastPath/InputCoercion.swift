import GraphQL
import OrderedCollections

/// Coerces argument literals and variable values to the types the schema declares, as the GraphQL package's
/// executor does before it calls a resolver: enum names become their values, a single value given for a list
/// becomes a list of one, input objects keep the fields they were given (defaults filled in), scalars parse.
/// A value that does not coerce throws; `FastQuery` then leaves the request to the package, which answers it
/// with the package's own error.
struct InputCoercion {
    let variables: [String: Map]

    /// A field's arguments: those given (literals or set variables) and those with defaults.
    func arguments(_ given: [Argument], definitions: GraphQLArgumentConfigMap) throws -> Map {
        var out = OrderedDictionary<String, Map>()
        for (name, definition) in definitions {
            if let argument = given.first(where: { $0.name.value == name }) {
                if let variable = argument.value as? Variable {
                    if let value = variables[variable.name.value] { out[name] = value }
                    else if let fallback = definition.defaultValue { out[name] = fallback }
                    else if definition.type is GraphQLNonNull { throw Uncoercible() }
                    continue
                }
                out[name] = try literal(argument.value, as: definition.type)
            } else if let fallback = definition.defaultValue {
                out[name] = fallback
            } else if definition.type is GraphQLNonNull {
                throw Uncoercible()
            }
        }
        return .dictionary(out)
    }

    /// A literal in the document.
    func literal(_ value: any Value, as type: any GraphQLInputType) throws -> Map {
        if let variable = value as? Variable {
            guard let set = variables[variable.name.value] else { throw Uncoercible() }
            return set
        }
        switch type {
        case let nonNull as GraphQLNonNull:
            guard !(value is NullValue), let inner = nonNull.ofType as? any GraphQLInputType else { throw Uncoercible() }
            return try literal(value, as: inner)
        case _ where value is NullValue:
            return .null
        case let list as GraphQLList:
            guard let item = list.ofType as? any GraphQLInputType else { throw Uncoercible() }
            if let items = value as? ListValue { return .array(try items.values.map { try literal($0, as: item) }) }
            return .array([try literal(value, as: item)])
        case let object as GraphQLInputObjectType:
            guard let given = value as? ObjectValue else { throw Uncoercible() }
            let fields = try object.fields()
            var out = OrderedDictionary<String, Map>()
            for field in given.fields {
                guard let definition = fields[field.name.value] else { throw Uncoercible() }
                out[field.name.value] = try literal(field.value, as: definition.type)
            }
            for (name, definition) in fields where out[name] == nil {
                if let fallback = definition.defaultValue { out[name] = fallback }
                else if definition.type is GraphQLNonNull { throw Uncoercible() }
            }
            return .dictionary(out)
        case let enumeration as GraphQLEnumType:
            return try enumeration.parseLiteral(valueAST: value)
        case let scalar as GraphQLScalarType:
            return try scalar.parseLiteral(valueAST: value)
        default:
            throw Uncoercible()
        }
    }

    /// A variable's value as the request gave it (JSON).
    static func variable(_ value: Map, as type: any GraphQLInputType) throws -> Map {
        switch type {
        case let nonNull as GraphQLNonNull:
            guard value != .null, value != .undefined, let inner = nonNull.ofType as? any GraphQLInputType else {
                throw Uncoercible()
            }
            return try variable(value, as: inner)
        case _ where value == .null:
            return .null
        case let list as GraphQLList:
            guard let item = list.ofType as? any GraphQLInputType else { throw Uncoercible() }
            if case .array(let items) = value { return .array(try items.map { try variable($0, as: item) }) }
            return .array([try variable(value, as: item)])
        case let object as GraphQLInputObjectType:
            guard case .dictionary(let given) = value else { throw Uncoercible() }
            let fields = try object.fields()
            var out = OrderedDictionary<String, Map>()
            for (name, field) in given {
                guard let definition = fields[name] else { throw Uncoercible() }
                out[name] = try variable(field, as: definition.type)
            }
            for (name, definition) in fields where out[name] == nil {
                if let fallback = definition.defaultValue { out[name] = fallback }
                else if definition.type is GraphQLNonNull { throw Uncoercible() }
            }
            return .dictionary(out)
        case let enumeration as GraphQLEnumType:
            return try enumeration.parseValue(value: value)
        case let scalar as GraphQLScalarType:
            return try scalar.parseValue(value: value)
        default:
            throw Uncoercible()
        }
    }

    /// The type a variable definition names, in `schema`.
    static func type(_ ast: any GraphQL.`Type`, in schema: GraphQLSchema) throws -> any GraphQLInputType {
        switch ast {
        case let named as NamedType:
            guard let type = schema.getType(name: named.name.value) as? any GraphQLInputType else { throw Uncoercible() }
            return type
        case let list as ListType:
            return GraphQLList(try type(list.type, in: schema))
        case let nonNull as NonNullType:
            guard let inner = try type(nonNull.type, in: schema) as? any GraphQLNullableType else { throw Uncoercible() }
            return GraphQLNonNull(inner)
        default:
            throw Uncoercible()
        }
    }

    /// Something the fast path does not take; the GraphQL package answers the request instead.
    struct Uncoercible: Error {}
}
