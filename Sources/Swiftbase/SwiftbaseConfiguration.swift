import Foundation
public import Prometheus

/// How a Swiftbase instance runs: flags (PocketBase's names) over `SB_*` environment variables over defaults.
public struct SwiftbaseConfiguration: Sendable {
    /// Data directory: `data.db`, `storage/`.
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// Development mode: more logging.
    public var dev: Bool
    /// Request bodies over this many bytes are refused with 413 (PocketBase: 32 MiB).
    public var maxBodySize: Int
    /// CORS allowed origins; `*` allows any.
    public var allowedOrigins: [String]
    /// Where the instance keeps its metrics. The CLI also bootstraps swift-metrics onto it, so library metrics
    /// (HTTP requests) land beside Swiftbase's own; embedders may pass theirs.
    public var metrics: PrometheusCollectorRegistry
    /// A connection must send a whole request head within this, or it is closed (`--header-timeout`).
    public var headerTimeout: Duration = .seconds(30)
    /// An idle keep-alive connection, or a request body that stalls, is closed after this (`--idle-timeout`).
    public var idleTimeout: Duration = .seconds(60)
    /// How long a superuser's SQL console query (`POST /api/sql`) may run before it is interrupted
    /// (`--sqlTimeout`; PocketBase: 3 minutes).
    public var sqlTimeout: Duration = .seconds(180)
    /// Connections served at once (`--max-connections`); nil sizes it under the open-files limit (see
    /// `ConnectionLimits`).
    public var maxConnections: Int?
    /// How the process starts again after `POST /api/backups/{key}/restore` staged a restore (the CLI
    /// re-executes itself); without it the restore is applied at the next start.
    public var restart: (@Sendable () -> Void)?
    /// What expiries (tokens, API keys, one-time passwords, login windows) are judged against; tests set a
    /// `ManualClock` here.
    public var clock: WallClock = .system
    /// A folder served at `/` for the paths no route answers (PocketBase's `pb_public`; `--publicDir`, by default
    /// `sb_public` beside the data directory); nil serves none.
    public var publicDirectory: String?
    /// Whether a public path that names nothing answers the folder's `index.html` (`--indexFallback`).
    public var indexFallback = true
    /// A folder of functions (`NAME.wasm` + `NAME.json`) deployed at start and whenever they change
    /// (`--functionsDir`); nil means `functions` inside the data directory.
    public var functionsDirectory: String?
    /// The key (32 characters) the stored settings are sealed under, AES-256-GCM in PocketBase's format
    /// (`SB_ENCRYPTION_KEY`, or the variable `--encryptionEnv` names); nil stores them in plain JSON, as PocketBase
    /// does by default. Settings sealed under a key cannot be loaded without it: the start fails.
    public var settingsEncryptionKey: String?

    /// Where the MQTT broker listens (`--mqtt 127.0.0.1:1883`); nil runs no broker. Port 0 picks a free one.
    public var mqttAddress: (host: String, port: Int)?
    /// PEM certificate chain and private key the MQTT listener serves TLS with (`--mqtt-tls-cert`,
    /// `--mqtt-tls-key`); nil: plain TCP.
    public var mqttTLS: (certificateChainPath: String, privateKeyPath: String)?
    /// Threads the MQTT listener's connections run on (`--mqtt-threads`); see `MQTTServer.threads`.
    public var mqttThreads = 1

    /// Where functions are loaded from: `functionsDirectory`, or `functions` inside the data directory.
    public var resolvedFunctionsDirectory: String {
        functionsDirectory ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("functions").path
    }

    public init(
        dataDirectory: String = "./sb_data", host: String = "127.0.0.1", port: Int = 8090, dev: Bool = false,
        maxBodySize: Int = 32 << 20, allowedOrigins: [String] = ["*"],
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.dev = dev
        self.maxBodySize = maxBodySize
        self.allowedOrigins = allowedOrigins
        self.metrics = metrics
    }

    /// Parses `--http` values: `127.0.0.1:8090`, `:8090`, `0.0.0.0:80`.
    public mutating func setHTTPAddress(_ address: String) throws(SwiftbaseConfigurationError) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw SwiftbaseConfigurationError(message: "invalid --http address \"\(address)\": want host:port") }
        let host = String(address[..<colon])
        self.host = host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}

extension SwiftbaseConfiguration {
    /// Parses `--mqtt` values as `--http` ones: `127.0.0.1:1883`, `:1883`, `0.0.0.0:1883`.
    public mutating func setMQTTAddress(_ address: String) throws(SwiftbaseConfigurationError) {
        var probe = self
        do {
            try probe.setHTTPAddress(address)
        } catch {
            throw SwiftbaseConfigurationError(message: "invalid --mqtt address \"\(address)\": want host:port")
        }
        mqttAddress = (probe.host, probe.port)
    }
}

public struct SwiftbaseConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
