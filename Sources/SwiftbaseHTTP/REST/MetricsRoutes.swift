import HTTPTypes
import Hummingbird
import Prometheus
import SwiftbaseCore

/// `GET /api/metrics` — the server's metrics in Prometheus' text format, for superusers (a scraper sends a
/// long-lived superuser token, e.g. one made by `impersonate` with a `duration`): realtime clients and
/// delivered events, the change log's head and each consumer's and webhook's lag (read at scrape time), webhook
/// attempts and delivery latency, and HTTP requests
/// when the process has bootstrapped swift-metrics onto the same registry.
struct MetricsRoutes {
    let services: HTTPServices

    func add(to router: Router<SwiftbaseRequestContext>) {
        router.get("/api/metrics") { _, context in
            try CollectionRoutes.requireSuperuser(context)
            try await updateChangeLogGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: services.metrics.emitToBuffer())))
        }
    }

    /// `swiftbase_changes_head_seq` and `swiftbase_consumer_lag_entries{consumer}` as they are now.
    func updateChangeLogGauges() async throws {
        let consumers = try await services.consumers.list()
        var head = consumers.first?.headSeq ?? 0
        if consumers.isEmpty { head = try await services.changes.head() }
        services.metrics.makeGauge(descriptor: Self.headSeq).set(Double(head))
        for consumer in consumers {
            services.metrics.makeGauge(descriptor: Self.consumerLag, labels: [("consumer", consumer.name)])
                .set(Double(consumer.lag))
        }
        for webhook in try await services.webhooks.list() {
            services.metrics.makeGauge(descriptor: Self.webhookLag, labels: [("webhook", webhook.name)])
                .set(Double(max(0, head - webhook.cursor)))
        }
    }

    static var webhookLag: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "webhook", metricName: "lag", unitName: "entries",
            helpText: "Entries of the change log after the webhook's saved cursor.")
    }

    static var headSeq: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "changes", metricName: "head", unitName: "seq",
            helpText: "The newest seq of the change log.")
    }

    static var consumerLag: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "swiftbase", subsystem: "consumer", metricName: "lag", unitName: "entries",
            helpText: "Entries of the change log after the consumer's committed cursor.")
    }
}
