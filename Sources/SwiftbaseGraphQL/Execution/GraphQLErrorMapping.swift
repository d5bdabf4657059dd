import GraphQL
import HTTPTypes
import Logging
import SwiftbaseCore
import SwiftbaseHTTP

/// Turns what resolvers threw into the errors a GraphQL client reads. A core error keeps its safe message and
/// carries PocketBase's REST error in `extensions`: `code` (the status REST would answer) and `data` (per
/// field `{code, message}` for validation failures), so clients key on the same codes as with REST. Anything
/// else a resolver threw is a bug: logged, answered with the generic message, never its cause.
struct GraphQLErrorMapping {
    let audit: AuditLog?
    let auditActor: String
    let remoteIP: String
    let logger: Logger

    func map(_ errors: [GraphQLError]) -> [GraphQLError] {
        errors.map(map)
    }

    func map(_ error: GraphQLError) -> GraphQLError {
        guard let original = error.originalError, !(original is GraphQLError) else { return error }
        let core: SwiftbaseError
        if let known = original as? SwiftbaseError {
            core = known
        } else {
            logger.error("graphql resolver failed", metadata: ["sb.error": "\(String(reflecting: original))"])
            core = SwiftbaseError(.internalError, "Something went wrong while processing your request.")
        }
        if let note = core.audit {
            audit?.record(AuditEvent(event: note.event, actor: auditActor, ip: remoteIP, target: note.target))
        }
        if core.code == .internalError, let detail = core.debugDetail {
            logger.error("graphql request failed", metadata: ["sb.error": "\(core.message)", "sb.detail": "\(detail)"])
        }
        let status = Int(ErrorMiddleware.status(for: core.code).code)
        return GraphQLError(
            message: core.message, locations: error.locations, path: error.path,
            extensions: ["code": .int(status), "data": Map(core.data.json)])
    }
}
