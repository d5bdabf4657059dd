import Dispatch
public import Hummingbird
import CoreMetrics
import Synchronization

/// Requests, errors and durations per route and method, under the metric names Hummingbird's
/// `MetricsMiddleware` uses (`hb.requests`, `http.server.request.duration`, `hb.request.errors`,
/// `http.server.active_requests`), so dashboards built on those keep working.
///
/// Unlike Hummingbird's middleware it does not wrap an in-memory body in a post-write closure: a wrapped
/// body is written as three separate parts, each flushed on its own (two `write` calls per response instead
/// of one). For a body of known length the request is counted when the handler returns it; a streamed
/// body (a file, an event stream) is still counted once it has been written.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = RequestMetricsCache()

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        do {
            var response = try await next(request, context)
            let key = RequestMetricsCache.Key(
                route: context.endpointPath ?? "Unknown", method: request.method, status: response.status.code)
            if response.body.contentLength != nil {
                cache.finish(key, startedAt: started, active: active)
            } else {
                let cache = self.cache
                let streamed = response.body
                response.body = ResponseBody { writer in
                    defer { cache.finish(key, startedAt: started, active: active) }
                    try await streamed.write(writer)
                }
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let key = RequestMetricsCache.Key(
                route: context.endpointPath ?? "NotFound", method: request.method, status: status.code)
            cache.fail(key, active: active)
            throw error
        }
    }
}

/// The metric handles per route, method and status, made once: creating a swift-metrics handle goes
/// through the factory's own lookup every time.
final class RequestMetricsCache: Sendable {
    struct Key: Hashable, Sendable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private struct Handles: Sendable {
        let requests: Counter
        let duration: CoreMetrics.Timer
        let errors: Counter
    }

    private let activeByMethod = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let handlesByKey = Mutex<[Key: Handles]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        activeByMethod.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(
                label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func finish(_ key: Key, startedAt started: UInt64, active: Meter) {
        let handles = handles(key)
        handles.requests.increment()
        handles.duration.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - started)
        active.decrement()
    }

    func fail(_ key: Key, active: Meter) {
        let handles = handles(key)
        handles.requests.increment()
        handles.errors.increment()
        active.decrement()
    }

    private func handles(_ key: Key) -> Handles {
        handlesByKey.withLock { all in
            if let handles = all[key] { return handles }
            let dimensions = [
                ("http.route", key.route), ("http.request.method", key.method.rawValue),
                ("http.response.status_code", String(key.status)),
            ]
            let handles = Handles(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: CoreMetrics.Timer(
                    label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", key.route), ("http.request.method", key.method.rawValue),
                        ("error.type", String(key.status)),
                    ]))
            all[key] = handles
            return handles
        }
    }
}
