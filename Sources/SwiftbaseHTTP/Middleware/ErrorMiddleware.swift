public import Hummingbird
import HTTPTypes
import Logging
import NIOHTTP1
public import SwiftbaseCore

/// Renders every error in PocketBase's shape `{status, message, data}`. Domain errors map by code;
/// Hummingbird's own (unknown route, body too large) get PocketBase's wording; anything else is a bug:
/// logged at `.error` with its detail and answered 500 with the generic message, never the cause.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext

    let audit: AuditLog?

    public init(audit: AuditLog? = nil) {
        self.audit = audit
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let audit else { return try await respond(request, context: context, next: next) }
        // A security event is as durable as the answer it describes: whatever this request recorded (its
        // handler, or the denial recorded below) is stored before the response leaves. A request that
        // recorded nothing only reads its mark.
        let recorded = RequestAudit()
        let response = try await RequestAudit.$current.withValue(recorded) {
            try await respond(request, context: context, next: next)
        }
        let last = recorded.lastEvent
        if last > 0 { await audit.waitUntilStored(through: last) }
        return response
    }

    private func respond(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SwiftbaseError {
            if let note = error.audit {
                audit?.record(
                    AuditEvent(event: note.event, actor: context.auth.auditActor, ip: context.clientIP, target: note.target))
            }
            if error.code == .internalError || error.code == .gatewayTimeout {
                context.logger.error(
                    "request failed", metadata: ["sb.error": "\(error.message)", "sb.detail": "\(error.debugDetail ?? "")"])
            } else if let detail = error.debugDetail {
                context.logger.debug("request failed", metadata: ["sb.error": "\(error.message)", "sb.detail": "\(detail)"])
            }
            var response = Self.response(status: Self.status(for: error.code), message: error.message, data: error.data.json)
            if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
            return response
        } catch {
            if !(error is any HTTPResponseError || error is HTTPParserError) {
                context.logger.error("unhandled error", metadata: ["sb.error": "\(String(reflecting: error))"])
            }
            let answer = Self.answer(to: error, method: request.method)
            return Self.response(status: answer.status, message: answer.message, data: answer.data)
        }
    }

    /// What the client is answered for `error`: its status, message and `data`, without the side effects of
    /// answering it (audit, logging). The request log reads it to describe a failure as the client saw it.
    package static func answer(to error: any Error, method: HTTPRequest.Method)
        -> (status: HTTPResponse.Status, message: String, data: JSONValue)
    {
        switch error {
        case let error as SwiftbaseError:
            return (status(for: error.code), error.message, error.data.json)
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                // No route matched. PocketBase serves GET and HEAD of any unmatched path from its public
                // folder, which answers "File not found."; other methods get the generic 404.
                let message = method == .get || method == .head ? "File not found." : "The requested resource wasn't found."
                return (.notFound, message, [:])
            case .contentTooLarge:
                return (.contentTooLarge, "Request entity too large.", [:])
            case .methodNotAllowed:
                return (.notFound, "The requested resource wasn't found.", [:])
            default:
                return (error.status, defaultMessage(error.status), [:])
            }
        case is HTTPParserError:
            // The body did not arrive as announced: shorter than its Content-Length when the client closed,
            // or malformed chunks. The client's fault, not ours.
            return (.badRequest, "Something went wrong while processing your request.", [:])
        default:
            return (.internalServerError, "Something went wrong while processing your request.", [:])
        }
    }

    package static func status(for code: SwiftbaseError.Code) -> HTTPResponse.Status {
        switch code {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .gone: .gone
        case .payloadTooLarge: .contentTooLarge
        case .tooManyRequests: .tooManyRequests
        case .internalError: .internalServerError
        case .gatewayTimeout: .gatewayTimeout
        default: .badRequest
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 401: "Missing or invalid authentication."
        case 403: "You are not allowed to perform this request."
        case 404: "The requested resource wasn't found."
        case 429: "Too Many Requests."
        default: "Something went wrong while processing your request."
        }
    }

    static func response(status: HTTPResponse.Status, message: String, data: JSONValue) -> Response {
        let body: JSONValue = ["status": .number(Double(status.code)), "message": .string(message), "data": data]
        return JSONResponse.make(body, status: status)
    }
}
