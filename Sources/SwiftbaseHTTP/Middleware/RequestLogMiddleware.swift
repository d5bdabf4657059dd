import Dispatch
public import Hummingbird
public import SwiftbaseCore

/// Logs every request as PocketBase's activity logger does (see `RequestLogFacts` for the entry): after the
/// handler, with its status, time and identity, and for a failure the error as the client got it. Successful
/// reads of the logs themselves (`/api/logs…`) and of the dashboard's files (`/_/…`) are not logged, as
/// PocketBase skips them (its static file handler, to avoid flooding the logs); failed ones are. Nor are
/// OAuth2 redirects (`/api/oauth2-redirect`), whose URL holds an authorization code.
///
/// It sits inside `AuthenticationMiddleware` (to know who asked) and inside `ErrorMiddleware` (to see the
/// error a handler threw, before it becomes a response); CORS preflights, answered further out, are not logged.
/// Recording only queues the entry (`LogBatchWriter`): the response does not wait for storage.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = SwiftbaseRequestContext

    let logs: LogService

    public init(logs: LogService) {
        self.logs = logs
    }

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard logs.settings.isEnabled else { return try await next(request, context) }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            if !Self.skipsSuccessLog(request) {
                await record(request, context, status: Int(response.status.code), failure: nil, started: started)
            }
            return response
        } catch {
            let answer = ErrorMiddleware.answer(to: error, method: request.method)
            let failure = RequestLogFacts.Failure(message: answer.message, details: Self.details(answer.data))
            await record(request, context, status: Int(answer.status.code), failure: failure, started: started)
            throw error
        }
    }

    private func record(
        _ request: Request, _ context: Context, status: Int, failure: RequestLogFacts.Failure?, started: UInt64
    ) async {
        let elapsed = DispatchTime.now().uptimeNanoseconds &- started
        // The settings once the handler is done, as PocketBase reads them (a request that turns logging off is
        // not logged); passed on, so recording takes no second look.
        let settings = logs.settings
        // Formatting the peer's address takes the channel's lock: only when it is logged. `userIP` is the client
        // as the trusted proxy names it, `remoteIP` the peer, as PocketBase logs them.
        let peer = settings.logIP ? context.remoteIP : ""
        let client = settings.logIP ? (context.forwardedIP ?? peer) : ""
        let (authCollection, authId) = Self.identity(context.auth)
        await logs.record(
            RequestLogFacts(
                method: request.method.rawValue, uri: request.head.path ?? "/", status: status,
                execTimeNanoseconds: elapsed, authCollection: authCollection, authId: authId,
                userIP: client, remoteIP: peer, referer: request.headers[.referer] ?? "",
                userAgent: request.headers[.userAgent] ?? "", failure: failure),
            settings: settings)
    }

    /// `auth` and `authId`: the record's collection and id; an API key (Swiftbase's) as `"apiKey"` and its id.
    static func identity(_ auth: AuthContext) -> (collection: String?, id: String?) {
        switch auth.identity {
        case .guest: (nil, nil)
        case .superuser(let record), .record(let record): (record.collectionName, record.id)
        case .apiKey(let grant): ("apiKey", grant.id)
        }
    }

    /// PocketBase's `details`: the field errors as `{field: message}` (nested as the error's `data`), or null.
    static func details(_ data: JSONValue) -> JSONValue {
        guard case .object(let fields) = data, !fields.isEmpty else { return .null }
        return .object(
            fields.mapValues { value in
                if let message = value["message"]?.stringValue, value["code"] != nil { return .string(message) }
                return details(value)
            })
    }

    /// Requests whose success is not logged: reads of the logs, the dashboard's files, and the OAuth2 redirect
    /// (its URL carries the provider's code, so PocketBase keeps it out of the logs).
    static func skipsSuccessLog(_ request: Request) -> Bool {
        let path = request.uri.path
        return path == "/api/logs" || path.hasPrefix("/api/logs/") || path == "/_" || path.hasPrefix("/_/")
            || path == "/api/oauth2-redirect"
    }
}
