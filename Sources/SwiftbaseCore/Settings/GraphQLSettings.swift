/// `graphql` in the settings: introspection on or off, and the bounds every GraphQL operation is checked
/// against before it runs (depth, breadth, cost) and while it runs (time).
public struct GraphQLSettings: Sendable, Equatable {
    /// Whether introspection queries (`__schema`, `__type`) are answered. On by default, as GraphQL servers
    /// are; a production app may turn it off to keep its schema to itself.
    public var introspection: Bool
    /// Deepest nesting of selection sets, the root field being 1.
    public var maxDepth: Int
    /// Most fields in one selection set (fragments spread in).
    public var maxBreadth: Int
    /// Most records one operation may answer, counted from its lists' limits (`GraphQL.md`, "Limits").
    public var maxCost: Int
    /// Seconds one operation may run before it is answered with an error.
    public var timeout: Double

    public static let defaults = GraphQLSettings(
        introspection: true, maxDepth: 8, maxBreadth: 200, maxCost: 5_000_000, timeout: 10)

    public init(introspection: Bool, maxDepth: Int, maxBreadth: Int, maxCost: Int, timeout: Double) {
        self.introspection = introspection
        self.maxDepth = maxDepth
        self.maxBreadth = maxBreadth
        self.maxCost = maxCost
        self.timeout = timeout
    }
}

extension SettingsService {
    /// The `graphql` section, defaults filling what is unset.
    public var graphql: GraphQLSettings {
        let section = snapshot["graphql"]
        let defaults = GraphQLSettings.defaults
        func integer(_ key: String, _ fallback: Int) -> Int {
            guard let value = section?[key]?.doubleValue, value >= 1, value < 1e12 else { return fallback }
            return Int(value)
        }
        return GraphQLSettings(
            introspection: section?["introspection"]?.boolValue ?? defaults.introspection,
            maxDepth: integer("maxDepth", defaults.maxDepth), maxBreadth: integer("maxBreadth", defaults.maxBreadth),
            maxCost: integer("maxCost", defaults.maxCost),
            timeout: section?["timeout"]?.doubleValue.flatMap { $0 >= 0.1 ? $0 : nil } ?? defaults.timeout)
    }

    /// `graphql.introspection`.
    public var graphqlIntrospection: Bool { graphql.introspection }
}
