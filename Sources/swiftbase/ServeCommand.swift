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

    @Option(name: .long, help: "CORS allowed origins, comma separated (default *).")
    var origins: String = "*"

    @Option(name: .long, help: "Largest accepted request body in bytes (default 32 MiB).")
    var maxBodySize: Int = 32 << 20

    func run() async throws {
        let started = ContinuousClock.now
        var configuration = SwiftbaseConfiguration(
            dataDirectory: global.dir, dev: global.dev, maxBodySize: maxBodySize,
            allowedOrigins: origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        do {
            try configuration.setHTTPAddress(http)
        } catch {
            throw ValidationError(error.description)
        }
        let logLevel: Logger.Level = configuration.dev ? .debug : .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: logLevel) }
        configuration.restart = { ProcessRestart.reexec() }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: configuration.metrics))
        let app = try await SwiftbaseApp.open(configuration)
        let host = configuration.host
        try await app.run { port in
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            let banner = """
                Server started at http://\(host):\(port) (ready in \(String(format: "%.1f", ms)) ms)
                ├─ REST API:  http://\(host):\(port)/api/

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }
}
