import Foundation
public import Logging
public import SwiftbaseCore
public import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import SwiftbaseHTTP
import SwiftbaseSQLite
import SwiftbaseServices
import SwiftbaseGraphQL
public import SwiftbaseMQTT
public import ServiceLifecycle
import UnixSignals
import Synchronization

/// A Swiftbase instance: the store, the core services and the HTTP server, wired once. Embed it in your
/// own program or run it with the `swiftbase` CLI.
///
/// ```swift
/// let app = try await SwiftbaseApp.open(SwiftbaseConfiguration(dataDirectory: "./sb_data"))
/// try await app.run()   // until SIGTERM / SIGINT, then drains in-flight requests
/// ```
public final class SwiftbaseApp: Sendable {
    public let configuration: SwiftbaseConfiguration
    /// Every service of the app (the composition root); `services.records` is the one write path.
    public let services: AppServices
    /// What the HTTP transport receives.
    let http: HTTPServices
    public let logger: Logger
    /// Committed changes, in `seq` order (the same bus as `services.events`).
    public var events: EventBus { services.events }
    /// Held shared while the app lives, so no restore replaces the data under it (see `DataDirectoryLock`).
    private let directoryLock: DataDirectoryLock
    /// The MQTT broker's engine; it listens when `configuration.mqttAddress` is set (see `mqttServer()`).
    public let mqttBroker = MQTTBroker()
    /// Who may publish and subscribe to what on the broker (`mqtt.acl`, API keys' topic scopes).
    let mqttAccess: MQTTAccessControl
    /// Routes and services added by an embedding program (see `addRoutes`, `addService`).
    let extensions = Mutex(AppExtensions())

    private init(
        configuration: SwiftbaseConfiguration, services: AppServices, logger: Logger, directoryLock: DataDirectoryLock
    ) {
        self.configuration = configuration
        self.services = services
        self.http = services.http(configuration)
        self.logger = logger
        self.directoryLock = directoryLock
        mqttAccess = MQTTAccessControl(settings: services.settings, records: services.records, audit: services.audit)
        // The `mqtt` section is checked on every save, with or without `--mqtt`, so a broker started later never
        // finds an ACL it cannot read.
        let registry = services.records.registry
        services.settings.addValidator { settings in MQTTSettingsValidator.errors(settings, schema: registry.snapshot) }
    }

    /// Opens (creating if needed) the data directory and its database, brings the schema up to date, applies
    /// the `migrations` not yet applied, in order (see `Migration`) — the app's, then each module's — and
    /// installs the `modules` (see `SwiftbaseModule`).
    public static func open(
        _ configuration: SwiftbaseConfiguration, migrations: [Migration] = [], modules: [any SwiftbaseModule] = [],
        logger: Logger? = nil
    ) async throws -> SwiftbaseApp {
        var logger = logger ?? Logger(label: "swiftbase")
        if configuration.dev { logger.logLevel = .debug }
        let directory = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("storage"), withIntermediateDirectories: true)
        let directoryLock: DataDirectoryLock
        if let alone = try? DataDirectoryLock.exclusive(directory) {
            if try PendingRestore.applyIfStaged(dataDirectory: directory) {
                logger.notice("restored the data directory from a backup")
            }
            alone.share()
            directoryLock = alone
        } else {
            if PendingRestore.isStaged(dataDirectory: directory) {
                logger.warning("a restore is staged, but another process has the data directory open: it waits for a start without one")
            }
            directoryLock = try DataDirectoryLock.shared(directory)
        }
        let services = try await AppServices.make(configuration: configuration, directory: directory, logger: logger)
        let applied = try await Migrator(collections: services.collections, records: services.records)
            .apply(migrations + modules.flatMap(\.migrations))
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["sb.migrations": "\(applied)"]) }
        let app = SwiftbaseApp(
            configuration: configuration, services: services, logger: logger, directoryLock: directoryLock)
        for module in modules { try module.install(on: app) }
        return app
    }

    /// The Hummingbird application serving the API. `onServerRunning` receives the bound port. Raises the
    /// open-files limit first (see `OpenFilesLimit`) and sizes the connection budget under it.
    public func makeHTTPApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol & Service
    {
        let files = OpenFilesLimit.raise()
        logger.info("open files limit", metadata: ["sb.before": "\(files.before)", "sb.limit": "\(files.after)"])
        let limits = connectionLimits(openFiles: files.after)
        // One GraphQL endpoint for HTTP and its WebSocket upgrade, so both share one schema cache.
        let graphQL = GraphQLRoutes(services: http, logger: logger)
        return Application(
            router: router(graphQL: graphQL),
            server: .swiftbase(
                services: http, limits: limits,
                webSockets: [graphQL.webSocketUpgrade(events: events)] + (mqttWebSocket().map { [$0.upgrade] } ?? [])),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.acceptLimit, logger: logger)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The configured limits; `maxConnections` defaults to what fits under `openFiles`.
    func connectionLimits(openFiles: Int) -> ConnectionLimits {
        ConnectionLimits(
            headerTimeout: configuration.headerTimeout, idleTimeout: configuration.idleTimeout,
            maxConnections: configuration.maxConnections ?? ConnectionLimits.maxConnections(forOpenFiles: openFiles))
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully (in-flight requests finish).
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let http = makeHTTPApplication(onServerRunning: onServerRunning)
        // Shutdown runs in reverse order (see `serviceList`).
        let group = ServiceGroup(
            configuration: .init(
                services: serviceList(http: http), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
