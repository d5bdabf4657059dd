import GraphQL
import OrderedCollections
import SwiftbaseCore

/// The types every generated schema shares: the `JSON` and `DateTime` scalars, `GeoPoint`, the `order_by`
/// enum and the comparison inputs of `where`. Built once per schema (they are classes the schema owns).
struct SharedTypes {
    let json: GraphQLScalarType
    let dateTime: GraphQLScalarType
    let geoPoint: GraphQLObjectType
    let geoPointInput: GraphQLInputObjectType
    let orderBy: GraphQLEnumType
    let comparisons: [ScalarComparison: GraphQLInputObjectType]

    init() throws {
        json = try GraphQLScalarType(
            name: "JSON", description: "Any JSON value: a json field's content.",
            serialize: { value in (value as? Map) ?? .null },
            parseValue: { $0 },
            parseLiteral: { try valueFromASTUntyped(valueAST: $0) })
        dateTime = try GraphQLScalarType(
            name: "DateTime",
            description: "A date as PocketBase writes it, in UTC: `2024-01-02 03:04:05.678Z` (empty when unset).",
            serialize: { value in
                guard let map = value as? Map, case .string = map else {
                    throw GraphQLError(message: "DateTime cannot represent a non-string value.")
                }
                return map
            },
            parseValue: { value in
                guard case .string = value else { throw GraphQLError(message: "DateTime must be a string.") }
                return value
            },
            parseLiteral: { ast in
                guard let text = ast as? StringValue else { throw GraphQLError(message: "DateTime must be a string.") }
                return .string(text.value)
            })
        let coordinate: @Sendable (String) -> GraphQLField = { key in
            let resolve: GraphQLFieldResolve = { source, _, _, _ in
                guard let point = source as? [String: JSONValue], let value = point[key]?.doubleValue else {
                    return nil
                }
                return Map.number(Number(value))
            }
            return GraphQLField(type: GraphQLNonNull(GraphQLFloat), resolve: resolve)
        }
        geoPoint = try GraphQLObjectType(
            name: "GeoPoint", description: "A geoPoint field's value.",
            fields: ["lon": coordinate("lon"), "lat": coordinate("lat")])
        geoPointInput = try GraphQLInputObjectType(
            name: "GeoPointInput",
            fields: [
                "lon": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
                "lat": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
            ])
        orderBy = try GraphQLEnumType(
            name: "order_by", description: "Sort direction.",
            values: ["asc": GraphQLEnumValue(value: .string("asc")), "desc": GraphQLEnumValue(value: .string("desc"))])
        var comparisons: [ScalarComparison: GraphQLInputObjectType] = [:]
        for comparison in ScalarComparison.allCases {
            comparisons[comparison] = try Self.comparisonType(comparison, json: json, dateTime: dateTime)
        }
        self.comparisons = comparisons
    }

    /// A value's type in output.
    func outputType(of value: ValueType) -> any GraphQLOutputType {
        switch value {
        case .string: GraphQLString
        case .int: GraphQLInt
        case .float: GraphQLFloat
        case .boolean: GraphQLBoolean
        case .dateTime: dateTime
        case .json: json
        case .geoPoint: geoPoint
        case .stringList: GraphQLList(GraphQLNonNull(GraphQLString))
        }
    }

    /// A value's type in mutation inputs.
    func inputType(of value: ValueType) -> any GraphQLInputType {
        switch value {
        case .string: GraphQLString
        case .int: GraphQLInt
        case .float: GraphQLFloat
        case .boolean: GraphQLBoolean
        case .dateTime: dateTime
        case .json: json
        case .geoPoint: geoPointInput
        case .stringList: GraphQLList(GraphQLNonNull(GraphQLString))
        }
    }

    private static func comparisonType(
        _ comparison: ScalarComparison, json: GraphQLScalarType, dateTime: GraphQLScalarType
    )
        throws -> GraphQLInputObjectType
    {
        let operand: any GraphQLInputType =
            switch comparison {
            case .string, .stringArray: GraphQLString
            case .int: GraphQLInt
            case .float: GraphQLFloat
            case .boolean: GraphQLBoolean
            case .dateTime: dateTime
            }
        var fields = InputObjectFieldMap()
        for op in comparison.operators {
            let type: any GraphQLInputType =
                op.takesBoolean ? GraphQLBoolean : op.takesList ? GraphQLList(try GraphQLNonNull(operand)) : operand
            fields[op.rawValue] = InputObjectField(type: type)
        }
        return try GraphQLInputObjectType(name: comparison.typeName, fields: fields)
    }
}
