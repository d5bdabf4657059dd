extension SettingsService {
    /// `graphql.introspection`: whether the GraphQL API answers introspection queries (`__schema`, `__type`).
    /// On by default, as GraphQL servers are; a production app may turn it off to keep its schema to itself.
    public var graphqlIntrospection: Bool {
        snapshot["graphql"]?["introspection"]?.boolValue ?? true
    }
}
