import GraphQL
import OrderedCollections
import Synchronization

/// Works around a gap in GraphQL 4.3.0's introspection: `__InputValue.isDeprecated` is a non-null field with no
/// resolver, and neither argument nor input-field definitions have a property of that name, so every
/// introspection query that asks for it — graphql-core's, `gql`'s and GraphiQL's default, which include input
/// value deprecation — fails with "Cannot return null for non-nullable field __InputValue.isDeprecated".
///
/// `__InputValue` is one object shared by every schema in the process; its field map is public and settable,
/// so the resolver is added once, before the first schema answers a request. Remove when the package resolves
/// the field itself.
enum IntrospectionPatch {
    private static let applied = Mutex(false)

    static func apply(to schema: GraphQLSchema) {
        applied.withLock { applied in
            guard !applied, let inputValue = schema.typeMap["__InputValue"] as? GraphQLObjectType else { return }
            applied = true
            let original = inputValue.fields
            let isDeprecated: GraphQLFieldResolve = { source, _, _, _ in
                switch source {
                case let argument as GraphQLArgumentDefinition: Map.bool(argument.deprecationReason != nil)
                case let field as InputObjectFieldDefinition: Map.bool(field.deprecationReason != nil)
                default: Map.bool(false)
                }
            }
            inputValue.fields = {
                var fields = try original()
                fields["isDeprecated"] = GraphQLField(type: GraphQLNonNull(GraphQLBoolean), resolve: isDeprecated)
                return fields
            }
        }
    }
}
