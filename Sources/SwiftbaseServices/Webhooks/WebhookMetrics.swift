public import CoreMetrics
public import SwiftbaseCore

/// Webhook delivery on `/api/metrics`: `swiftbase_webhook_attempts_total{outcome}` (every attempt),
/// `swiftbase_webhook_deliveries_total{outcome="succeeded|failed"}` (messages settled) and
/// `swiftbase_webhook_delivery_seconds`, the time from a change's commit to its receiver's 2xx.
public enum WebhookMetrics {
    public static func observer(factory: any MetricsFactory) -> WebhookObserver {
        let attempts = Dictionary(
            uniqueKeysWithValues: WebhookAttempt.Outcome.allCases.map { outcome in
                (outcome, Counter(label: "swiftbase_webhook_attempts_total", dimensions: [("outcome", outcome.rawValue)], factory: factory))
            })
        let settled = Dictionary(
            uniqueKeysWithValues: [WebhookDelivery.Status.succeeded, .failed].map { status in
                (status, Counter(label: "swiftbase_webhook_deliveries_total", dimensions: [("outcome", status.rawValue)], factory: factory))
            })
        let latency = Timer(label: "swiftbase_webhook_delivery_seconds", factory: factory)
        return WebhookObserver(
            attempted: { outcome in attempts[outcome]?.increment() },
            delivered: { duration in latency.recordNanoseconds(duration.nanoseconds) },
            settled: { status in settled[status]?.increment() })
    }
}
