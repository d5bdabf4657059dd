import GraphQL

/// What a root resolver reads of its field's place in the document: the occurrences of the field (aliases
/// merged), the document's fragments and the coerced variables. Built from the GraphQL package's resolve info,
/// or by `FastQuery`, which runs record queries without that package's executor.
struct FieldSelection: Sendable {
    let fieldASTs: [Field]
    let fragments: [String: FragmentDefinition]
    let variables: [String: Map]
    /// The schema the document runs against (the argument types of nested fields).
    let schema: GraphQLSchema

    init(
        fieldASTs: [Field], fragments: [String: FragmentDefinition], variables: [String: Map], schema: GraphQLSchema
    ) {
        self.fieldASTs = fieldASTs
        self.fragments = fragments
        self.variables = variables
        self.schema = schema
    }

    init(_ info: GraphQLResolveInfo) {
        fieldASTs = info.fieldASTs
        fragments = info.fragments
        variables = info.variableValues.compactMapValues { $0 as? Map }
        schema = info.schema
    }
}
