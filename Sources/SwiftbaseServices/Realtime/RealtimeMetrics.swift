public import CoreMetrics

/// What the realtime hub reports: connected clients, delivered events, and clients dropped for being too
/// slow. Created from the app's metrics factory (Prometheus in the server), so each app instance counts
/// on its own; the default factory records nothing.
public struct RealtimeMetrics: Sendable {
    let connectedClients: Meter
    let deliveredEvents: Counter
    let droppedClients: Counter

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        connectedClients = Meter(label: "swiftbase_realtime_clients", factory: factory)
        deliveredEvents = Counter(label: "swiftbase_realtime_events_delivered_total", factory: factory)
        droppedClients = Counter(label: "swiftbase_realtime_clients_dropped_total", factory: factory)
    }
}
