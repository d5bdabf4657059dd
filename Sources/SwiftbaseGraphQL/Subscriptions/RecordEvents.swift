import GraphQL
import OrderedCollections
import Synchronization
import SwiftbaseCore

/// One committed change as a subscription field resolves it: the root value of the execution that answers a
/// `posts_events` subscriber, with the requester the record is presented for.
struct RecordEvent: Sendable {
    let action: String
    let record: RecordModel
    let request: RequestInfo
}

/// What a subscription asked for, captured when it starts: the collection, its compiled `where`, and the
/// requester narrowed to listing that collection (an API key needs its `list` scope there).
struct RecordEventsTarget: Sendable {
    let shape: CollectionShape
    let condition: FilterExpression?
    let request: RequestInfo
}

/// The root value of a subscription's first execution: the root field's resolver records its coerced
/// arguments here (so variables and `where` are checked by the GraphQL package as for any field) and answers
/// nothing; events are then executed with a `RecordEvent` as root value.
final class RecordEventsProbe: Sendable {
    private let captured = Mutex<RecordEventsTarget?>(nil)

    var target: RecordEventsTarget? { captured.withLock { $0 } }

    func capture(_ target: RecordEventsTarget) {
        captured.withLock { $0 = target }
    }
}

/// The subscription root field `posts_events(where:)` of one collection and its `posts_event` type
/// `{action, record}`. Events are those realtime's `posts/*` delivers, judged by the same `listRule` for the
/// subscriber and by `where`.
struct RecordEvents: Sendable {
    let shape: CollectionShape
    let catalog: GraphQLCatalog

    func field(object: GraphQLObjectType, boolExp: GraphQLInputObjectType) throws -> GraphQLField {
        let record: GraphQLFieldResolve = { source, _, context, info in
            guard let event = source as? RecordEvent else { return nil }
            let context = try GraphQLRequestContext.from(context)
            return try await context.present(
                [event.record], of: shape, catalog: catalog, selection: FieldSelection(info), request: event.request
            ).first
        }
        let action: GraphQLFieldResolve = { source, _, _, _ in (source as? RecordEvent).map { Map.string($0.action) } }
        let event = try GraphQLObjectType(
            name: GraphQLNames.event(shape.typeName),
            description: "A committed change of a `\(shape.collection.name)` record.",
            fields: [
                "action": GraphQLField(
                    type: GraphQLNonNull(GraphQLString), description: "`create`, `update` or `delete`.", resolve: action),
                "record": GraphQLField(
                    type: GraphQLNonNull(object), description: "The record after the change (as it was, for a delete).",
                    resolve: record),
            ])
        let resolve: GraphQLFieldResolve = { source, args, context, _ in
            switch source {
            case let event as RecordEvent:
                return event
            case let probe as RecordEventsProbe:
                probe.capture(try target(args, context: try GraphQLRequestContext.from(context)))
                return nil
            default:
                throw GraphQLError(message: "Subscriptions are served over a WebSocket at /api/graphql.")
            }
        }
        return GraphQLField(
            type: event,
            description: "Changes of `\(shape.collection.name)` records the subscriber may list (its listRule applies).",
            args: ["where": GraphQLArgument(type: boolExp)], resolve: resolve)
    }

    private func target(_ args: Map, context: GraphQLRequestContext) throws -> RecordEventsTarget {
        let request = try context.request(for: .list, on: shape.collection)
        if shape.collection.listRule == nil && !request.auth.isSuperuser {
            throw SwiftbaseError.forbidden("Only superusers can perform this action.")
        }
        let condition = try WhereCompiler(catalog: catalog).compile(args["where"], on: shape)
        return RecordEventsTarget(shape: shape, condition: condition.filter, request: request)
    }
}
