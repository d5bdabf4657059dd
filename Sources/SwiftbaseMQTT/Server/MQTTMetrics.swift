public import CoreMetrics

/// What the broker reports on `/api/metrics`: connected clients, sessions, subscriptions and retained messages
/// (meters), messages in and out by QoS dropped messages and access denials (counters). Sampled from `MQTTBroker.statistics`
/// once a second by the server's clock, so the broker's hot path touches no metrics handler.
public struct MQTTMetrics: Sendable {
    let clients: Meter
    let sessions: Meter
    let subscriptions: Meter
    let retained: Meter
    let messagesIn: [Counter]
    let messagesOut: [Counter]
    let dropped: Counter
    let denied: Counter

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        clients = Meter(label: "swiftbase_mqtt_clients", factory: factory)
        sessions = Meter(label: "swiftbase_mqtt_sessions", factory: factory)
        subscriptions = Meter(label: "swiftbase_mqtt_subscriptions", factory: factory)
        retained = Meter(label: "swiftbase_mqtt_retained_messages", factory: factory)
        messagesIn = (0..<3).map {
            Counter(label: "swiftbase_mqtt_messages_in_total", dimensions: [("qos", "\($0)")], factory: factory)
        }
        messagesOut = (0..<3).map {
            Counter(label: "swiftbase_mqtt_messages_out_total", dimensions: [("qos", "\($0)")], factory: factory)
        }
        dropped = Counter(label: "swiftbase_mqtt_messages_dropped_total", factory: factory)
        denied = Counter(label: "swiftbase_mqtt_denied_total", factory: factory)
    }

    /// Records `now`, counting what happened since `before`.
    func record(_ now: MQTTBrokerStatistics, since before: MQTTBrokerStatistics) {
        clients.set(Double(now.connectedClients))
        sessions.set(Double(now.sessions))
        subscriptions.set(Double(now.subscriptions))
        retained.set(Double(now.retainedMessages))
        for qos in 0..<3 {
            messagesIn[qos].increment(by: max(0, now.messagesIn[qos] - before.messagesIn[qos]))
            messagesOut[qos].increment(by: max(0, now.messagesOut[qos] - before.messagesOut[qos]))
        }
        dropped.increment(by: max(0, now.dropped - before.dropped))
        denied.increment(by: max(0, now.denied - before.denied))
    }
}
