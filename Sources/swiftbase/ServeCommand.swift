import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import Swiftbase

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Starts the web server (default 127.0.0.1:8090).")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "TCP address to listen on (env SB_HTTP).")
    var http: String = ProcessInfo.processInfo.environment["SB_HTTP"] ?? "127.0.0.1:8090"

    @Option(name: .long, help: "Also run the MQTT broker on this TCP address, e.g. 127.0.0.1:1883 (env SB_MQTT).")
    var mqtt: String?

    @Option(name: .long, help: "PEM certificate chain for MQTT over TLS (with --mqtt-tls-key).")
    var mqttTlsCert: String?

    @Option(name: .long, help: "PEM private key for MQTT over TLS (with --mqtt-tls-cert).")
    var mqttTlsKey: String?

    @Option(name: .long, help: "Threads the MQTT broker's TCP connections run on (env SB_MQTT_THREADS, default 1).")
    var mqttThreads: Int = Int(ProcessInfo.processInfo.environment["SB_MQTT_THREADS"] ?? "") ?? 1

    @Option(name: .long, help: "CORS allowed origins, comma separated (default *).")
    var origins: String = "*"

    @Option(name: .long, help: "Largest accepted request body in bytes (default 32 MiB).")
    var maxBodySize: Int = 32 << 20

    @Option(name: .long, help: "Seconds a connection has to send a whole request head (env SB_HEADER_TIMEOUT, default 30).")
    var headerTimeout: Double = Double(ProcessInfo.processInfo.environment["SB_HEADER_TIMEOUT"] ?? "") ?? 30

    @Option(name: .long, help: "Seconds before an idle keep-alive connection or a stalled body is closed (env SB_IDLE_TIMEOUT, default 60).")
    var idleTimeout: Double = Double(ProcessInfo.processInfo.environment["SB_IDLE_TIMEOUT"] ?? "") ?? 60

    @Option(name: .long, help: "Connections served at once (env SB_MAX_CONNECTIONS; 0, the default: what fits under the open-files limit).")
    var maxConnections: Int = Int(ProcessInfo.processInfo.environment["SB_MAX_CONNECTIONS"] ?? "") ?? 0

    @Option(name: .customLong("sqlTimeout"), help: "Seconds a superuser's SQL console query may run (env SB_SQL_TIMEOUT, default 180).")
    var sqlTimeout: Double = Double(ProcessInfo.processInfo.environment["SB_SQL_TIMEOUT"] ?? "") ?? 180

    @Option(name: .customLong("publicDir"), help: "Folder served at / (default: sb_public beside --dir).")
    var publicDir: String?

    @Option(name: .customLong("indexFallback"), help: "Answer a public path that names nothing with index.html (default true).")
    var indexFallback: Bool = true

    @Option(
        name: .customLong("functionsDir"),
        help: "Folder of functions (NAME.wasm + NAME.json) deployed at start and on change (default: functions inside --dir).")
    var functionsDir: String?

    func validate() throws {
        for (name, seconds) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)]
        where !(seconds > 0 && seconds <= 86_400) {
            throw ValidationError("\(name) must be a number of seconds between 0 and 86400")
        }
        if !(sqlTimeout > 0 && sqlTimeout <= 86_400) {
            throw ValidationError("--sqlTimeout must be a number of seconds between 0 and 86400")
        }
        if !(1...256).contains(mqttThreads) { throw ValidationError("--mqtt-threads must be between 1 and 256") }
        if maxConnections < 0 { throw ValidationError("--max-connections must not be negative") }
        if (mqttTlsCert == nil) != (mqttTlsKey == nil) {
            throw ValidationError("--mqtt-tls-cert and --mqtt-tls-key go together")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        var configuration = SwiftbaseConfiguration(
            dataDirectory: global.dir, dev: global.dev, maxBodySize: maxBodySize,
            allowedOrigins: origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        configuration.headerTimeout = .milliseconds(Int(headerTimeout * 1000))
        configuration.idleTimeout = .milliseconds(Int(idleTimeout * 1000))
        configuration.maxConnections = maxConnections > 0 ? maxConnections : nil
        configuration.sqlTimeout = .milliseconds(Int(sqlTimeout * 1000))
        configuration.publicDirectory = publicDir
            ?? URL(fileURLWithPath: global.dir, isDirectory: true).deletingLastPathComponent()
                .appendingPathComponent("sb_public", isDirectory: true).path
        configuration.indexFallback = indexFallback
        configuration.functionsDirectory = functionsDir
        configuration.settingsEncryptionKey = global.encryptionKey
        do {
            try configuration.setHTTPAddress(http)
            if let mqtt = mqtt ?? ProcessInfo.processInfo.environment["SB_MQTT"] {
                try configuration.setMQTTAddress(mqtt)
            }
            configuration.mqttThreads = mqttThreads
            if let mqttTlsCert, let mqttTlsKey { configuration.mqttTLS = (mqttTlsCert, mqttTlsKey) }
        } catch {
            throw ValidationError(error.description)
        }
        let logLevel: Logger.Level = configuration.dev ? .debug : .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: logLevel) }
        configuration.restart = { ProcessRestart.reexec() }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: configuration.metrics))
        let app = try await SwiftbaseApp.open(configuration)
        let host = configuration.host
        let mqttScheme = configuration.mqttTLS == nil ? "mqtt" : "mqtts"
        let mqttLine = configuration.mqttAddress.map { "├─ MQTT:      \(mqttScheme)://\($0.host):\($0.port)\n" } ?? ""
        try await app.run { port in
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            let banner = """
                Server started at http://\(host):\(port) (ready in \(String(format: "%.1f", ms)) ms)
                ├─ REST API:  http://\(host):\(port)/api/
                \(mqttLine)
                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }
}
