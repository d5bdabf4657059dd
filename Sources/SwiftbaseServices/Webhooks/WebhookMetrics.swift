public import CoreMetrics
public import SwiftbaseCore

/// Webhook delivery on `/api/metrics`: `swiftbase_webhook_attempts_total{outcome}` and
/// `swiftbase_webhook_delivery_seconds`, the time from a change's commit to its receiver's 2xx.
public enum WebhookMetrics {
    public static func observer(factory: any MetricsFactory) -> WebhookObserver {
        let attempts = Dictionary(
            uniqueKeysWithValues: WebhookAttempt.Outcome.allCases.map { outcome in
                (outcome, Counter(label: "swiftbase_webhook_attempts_total", dimensions: [("outcome", outcome.rawValue)], factory: factory))
            })
        let latency = Timer(label: "swiftbase_webhook_delivery_seconds", factory: factory)
        return WebhookObserver(
            attempted: { outcome in attempts[outcome]?.increment() },
            delivered: { duration in latency.recordNanoseconds(duration.nanoseconds) })
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
