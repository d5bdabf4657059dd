import HTTPTypes
import Hummingbird
import Prometheus

/// `GET /api/metrics` — the server's metrics in Prometheus' text format, for superusers (a scraper sends a
/// long-lived superuser token, e.g. one made by `impersonate` with a `duration`): realtime clients and
/// delivered events, and HTTP requests when the process has bootstrapped swift-metrics onto the same registry.
struct MetricsRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/metrics") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: services.metrics.emitToBuffer())))
        }
    }
}
