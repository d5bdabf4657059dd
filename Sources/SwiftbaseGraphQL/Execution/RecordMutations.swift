import GraphQL
import SwiftbaseCore

/// The mutation root fields of one collection, `insert_posts_one`, `update_posts_by_pk` and
/// `delete_posts_by_pk`, each one call of the record service's one write path (validation, rules, hooks,
/// change log), as the REST create, update and delete make.
struct RecordMutations: Sendable {
    let shape: CollectionShape
    let catalog: GraphQLCatalog

    func insert(_ args: Map, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws -> (any Sendable)? {
        let collection = shape.collection
        let values = try RecordInputMapper(shape: shape).values(object: args["object"])
        let request = try context.request(for: .create, on: collection, body: values)
        let record = try await context.records.create(in: collection.name, input: RecordInput(values), request: request)
        return try await context.present([record], of: shape, catalog: catalog, selection: FieldSelection(info), request: request).first
    }

    func update(_ args: Map, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws -> (any Sendable)? {
        let collection = shape.collection
        guard let id = args["pk_columns"]["id"].string else { return nil }
        let values = try RecordInputMapper(shape: shape).values(set: args["_set"], increment: args["_inc"])
        let request = try context.request(for: .update, on: collection, body: values)
        let record = try await context.records.update(
            in: collection.name, id: id, input: RecordInput(values), request: request)
        return try await context.present([record], of: shape, catalog: catalog, selection: FieldSelection(info), request: request).first
    }

    /// Answers the record as it was, when the requester may view it (Hasura returns the deleted row); null
    /// when it may delete but not view it.
    func delete(_ args: Map, context: GraphQLRequestContext, info: GraphQLResolveInfo) async throws -> (any Sendable)? {
        let collection = shape.collection
        guard let id = args["id"].string else { return nil }
        let request = try context.request(for: .delete, on: collection)
        var before: RecordNode?
        if let viewRequest = try? context.request(for: .view, on: collection),
            let record = try? await context.records.view(in: collection.name, id: id, request: viewRequest)
        {
            before = try await context.present([record], of: shape, catalog: catalog, selection: FieldSelection(info), request: viewRequest)
                .first
        }
        try await context.records.delete(in: collection.name, id: id, request: request)
        return before
    }
}
