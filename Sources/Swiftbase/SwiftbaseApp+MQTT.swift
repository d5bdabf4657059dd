import Prometheus
import SwiftbaseSQLite
import SwiftbaseMQTT

extension SwiftbaseApp {
    /// The MQTT listener on `configuration.mqttAddress`, authenticating through the app's identity resolver and
    /// settings; nil when no address is configured.
    func mqttServer() -> MQTTServer? {
        guard let address = configuration.mqttAddress else { return nil }
        let broker = mqttBroker
        let settings = services.settings
        broker.setMaximumKeepAlive(settings.mqttMaxKeepAlive)
        settings.onChange { _ in broker.setMaximumKeepAlive(settings.mqttMaxKeepAlive) }
        return MQTTServer(
            broker: mqttBroker, authenticator: mqttAuthenticator, access: mqttAccess,
            host: address.host, port: address.port, threads: configuration.mqttThreads, logger: logger,
            metrics: MQTTMetrics(factory: PrometheusMetricsFactory(registry: configuration.metrics)),
            tls: configuration.mqttTLS.map {
                MQTTTLSFiles(certificateChainPath: $0.certificateChainPath, privateKeyPath: $0.privateKeyPath)
            },
            persistence: MQTTStatePersistence(store: SQLiteMQTTStateStore(store: services.store), logger: logger),
            bridge: MQTTRecordBridge(
                broker: mqttBroker, records: services.records, presenter: services.presenter, events: services.events),
            ingest: MQTTIngestService(
                settings: services.settings, records: services.records, logger: logger,
                metrics: PrometheusMetricsFactory(registry: configuration.metrics)))
    }

    /// MQTT over WebSocket at `/api/mqtt` on the HTTP server, served by the same broker; only while the broker runs
    /// (`--mqtt`), so an app that did not ask for MQTT has no MQTT endpoint.
    func mqttWebSocket() -> MQTTWebSocketEndpoint? {
        guard configuration.mqttAddress != nil else { return nil }
        let settings = services.settings
        return MQTTWebSocketEndpoint(
            broker: mqttBroker, authenticator: mqttAuthenticator, access: mqttAccess,
            trustedProxy: { settings.trustedProxy })
    }

    private var mqttAuthenticator: MQTTAuthenticator {
        MQTTAuthenticator(identities: services.identities, settings: services.settings)
    }
}
