import Prometheus
import SwiftbaseMQTT

extension SwiftbaseApp {
    /// The MQTT listener on `configuration.mqttAddress`, authenticating through the app's identity resolver and
    /// settings; nil when no address is configured.
    func mqttServer() -> MQTTServer? {
        guard let address = configuration.mqttAddress else { return nil }
        return MQTTServer(
            broker: mqttBroker,
            authenticator: MQTTAuthenticator(identities: services.identities, settings: services.settings),
            host: address.host, port: address.port, logger: logger,
            metrics: MQTTMetrics(factory: PrometheusMetricsFactory(registry: configuration.metrics)))
    }
}
