import GraphQL
import Logging
import OrderedCollections
import SwiftbaseCore
import Synchronization

/// One generated schema and what serving it needs: the catalog its resolvers read and the type table its
/// input types read from. Built once per schema generation and never changed after, so it is shared by every
/// request (hence `@unchecked Sendable`: the GraphQL package's types are classes, immutable once built).
final class GraphQLSchemaBundle: @unchecked Sendable {
    /// The schema registry's generation this was built from.
    let generation: Int
    let schema: GraphQLSchema
    let catalog: GraphQLCatalog
    /// The schema as SDL, for `GET /api/graphql/schema`.
    let sdl: String
    /// Documents parsed and validated against this schema.
    let documents = DocumentCache()
    /// Every object type's fields by type name, read once: `FastQuery` looks fields up per record.
    let objectFields: [String: GraphQLFieldMap]
    private let table: TypeTable

    init(generation: Int, snapshot: SchemaSnapshot) throws {
        let catalog = GraphQLCatalog(snapshot)
        let (schema, table) = try SchemaBuilder(catalog: catalog).build()
        let problems = validateSchema(schema: schema)
        if let first = problems.first {
            throw SwiftbaseError(
                .internalError, "Something went wrong while processing your request.",
                debugDetail: "generated GraphQL schema is invalid: \(first.message)")
        }
        IntrospectionPatch.apply(to: schema)
        var objectFields: [String: GraphQLFieldMap] = [:]
        for (name, type) in schema.typeMap where !name.hasPrefix("__") {
            if let object = type as? GraphQLObjectType { objectFields[name] = try object.fields() }
        }
        self.objectFields = objectFields
        self.generation = generation
        self.schema = schema
        self.catalog = catalog
        self.table = table
        self.sdl = printSchema(schema: schema)
    }
}

/// The schema for the current collections. A request reads the schema registry's generation (a lock, no actor
/// hop); when collections changed since the last build, the schema is built again for the new generation, so
/// the next request after a change sees it, with no restart and no work while nothing changes.
final class GraphQLSchemaCache: Sendable {
    private let registry: SchemaRegistry
    private let logger: Logger
    private let built = Mutex<GraphQLSchemaBundle?>(nil)

    init(registry: SchemaRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    func current() throws -> GraphQLSchemaBundle {
        let (generation, snapshot) = registry.current
        if let bundle = built.withLock({ $0 }), bundle.generation == generation { return bundle }
        // Built outside the lock: two requests racing after a change may both build; one result is kept.
        let bundle = try GraphQLSchemaBundle(generation: generation, snapshot: snapshot)
        if !bundle.catalog.skipped.isEmpty {
            logger.warning(
                "collections left out of the GraphQL schema: their names collide",
                metadata: ["sb.collections": "\(bundle.catalog.skipped.joined(separator: ","))"])
        }
        return built.withLock { current in
            if let current, current.generation > generation { return current }
            current = bundle
            return bundle
        }
    }
}
