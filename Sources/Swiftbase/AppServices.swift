import Foundation
import Logging
import Prometheus
public import SwiftbaseCore
import SwiftbaseHTTP
import SwiftbaseSQLite
public import SwiftbaseServices
import SwiftbaseFunctions

/// The composition root: every service of an app, built once from its configuration and data directory.
/// Transports receive what they need from here (`http` for the HTTP server); the core's seams — the record
/// service with its hooks, identity resolution, record presentation, the event bus, the realtime hub — are
/// built once and shared by every transport and module.
public struct AppServices: Sendable {
    public let store: any Store
    public let schema: SchemaRegistry
    public let collections: CollectionService
    /// The one write path (rules, validation, hooks, change log) and the reads.
    public let records: RecordService
    public let auth: AuthService
    public let accounts: AccountService
    public let apiKeys: APIKeyService
    public let audit: AuditLog
    /// Request logs in `DIR/auxiliary.db`, written in batches by `LogWriterService`.
    public let logs: LogService
    public let settings: SettingsService
    /// Committed changes, in `seq` order, to in-process subscribers.
    public let events: EventBus
    /// Credential → identity, the same for every transport.
    public let identities: IdentityResolver
    /// Records → the JSON the API answers.
    public let presenter: RecordPresenter
    /// Realtime subscriptions, fed by `events`, served by the HTTP transport (SSE and WebSocket).
    public let realtime: SubscriptionHub
    /// The change log for readers: pages by cursor and a live tail.
    public let changes: ChangeFeed
    /// Named consumers of the change log, their cursors kept in the store.
    public let consumers: ConsumerService
    /// Webhooks: their configuration and deliveries log; delivery runs in `webhookDispatcher`.
    public let webhooks: WebhookService
    public let webhookDispatcher: WebhookDispatcher
    /// The HTTP client webhooks are delivered with, closed at shutdown.
    let webhookTransport: HTTPWebhookTransport
    public let files: any FileStore
    public let backups: BackupService
    /// The one cron scheduler: register jobs here (`register(id:schedule:action:)`); it runs with the app and
    /// already holds the system jobs (automatic backups while `backups.cron` is set, change-log retention).
    public let scheduler: CronScheduler
    /// Functions: deployed Extism plug-ins, their versions and triggers (run by `SwiftbaseFunctions`' engine).
    public let functions: FunctionService
    /// Functions' `http_request` client, closed at shutdown.
    let functionHTTP: FunctionHTTPClient

    /// Opens the store in `directory` (its schema bootstrapped, settings loaded) and builds every service on it.
    static func make(configuration: SwiftbaseConfiguration, directory: URL, logger: Logger) async throws -> AppServices {
        let encryptionKey = try configuration.settingsEncryptionKey.map(SettingsLoadFailure.checked(key:))
        let store = try SQLiteStore(path: directory.appendingPathComponent("data.db").path)
        let registry = SchemaRegistry(dialect: store.dialect)
        let collections = CollectionService(store: store, registry: registry)
        try await collections.bootstrap()
        let events = EventBus()
        let passwords = GatedPasswordHasher(BcryptPasswordHasher())
        let settings = SettingsService(store: store, encryptionKey: encryptionKey)
        try await settings.load()
        // The disk, or the bucket of `s3` while it is enabled (read at every call).
        let files = SettingsFileStore(
            local: LocalFileStore(root: directory.appendingPathComponent("storage", isDirectory: true)),
            s3: { settings.storageS3 })
        let records = RecordService(
            store: store, registry: registry, events: events, passwords: passwords, files: files, hooks: RecordHooks())
        let auth = AuthService(store: store, registry: registry, passwords: passwords, clock: configuration.clock)
        let mailer = ConfiguredMailer(
            settings: settings, files: FileMailer(directory: directory.appendingPathComponent("mail", isDirectory: true)))
        let accounts = AccountService(
            records: records, auth: auth, mailer: mailer, queue: MailQueue(), mailSettings: { settings.mailSettings },
            logger: logger)
        // PocketBase starts its rate limiters again on a settings save, the OTP attempt window with them.
        settings.onChange { _ in accounts.resetOTPAttempts() }
        let apiKeys = APIKeyService(store: store, registry: registry, clock: configuration.clock)
        let audit = AuditLog(store: store, logger: logger)
        let logStore = try SQLiteLogStore(path: directory.appendingPathComponent("auxiliary.db").path)
        let logs = LogService(
            store: logStore, settings: settings, writer: LogBatchWriter(store: logStore, logger: logger))
        let changes = ChangeFeed(store: store, events: events)
        let backups = BackupService(
            dataDirectory: directory, snapshot: { path, progress in try store.backup(to: path, progress: progress) },
            appName: { settings.mailSettings.appName }, s3: { settings.backupsS3 })
        let scheduler = CronScheduler(clock: configuration.clock, logger: logger)
        let presenter = RecordPresenter(records: records)
        let functionHTTP = FunctionHTTPClient(allowPrivateHosts: { settings.functionsAllowPrivateHosts })
        let engine = WasmFunctionEngine(
            records: FunctionRecordsAPI(records: records, presenter: presenter), httpClient: functionHTTP,
            observer: FunctionMetrics.observer(registry: configuration.metrics))
        let functions = FunctionService(
            store: store, records: records, feed: changes, engine: engine, scheduler: scheduler, logger: logger)
        try await functions.loadAll()
        let webhookTransport = HTTPWebhookTransport()
        let webhookDispatcher = WebhookDispatcher(
            store: store, events: events, registry: registry, settings: { settings.webhookSettings },
            transport: webhookTransport,
            observer: WebhookMetrics.observer(factory: PrometheusMetricsFactory(registry: configuration.metrics)),
            audit: audit, clock: configuration.clock, logger: logger, workerExecutor: webhookTransport.background)
        let services = AppServices(
            store: store, schema: registry, collections: collections, records: records, auth: auth, accounts: accounts,
            apiKeys: apiKeys, audit: audit, logs: logs, settings: settings, events: events,
            identities: IdentityResolver(auth: auth, apiKeys: apiKeys, audit: audit),
            presenter: presenter,
            realtime: SubscriptionHub(
                records: records,
                metrics: RealtimeMetrics(factory: PrometheusMetricsFactory(registry: configuration.metrics))),
            changes: changes,
            consumers: ConsumerService(feed: changes, registry: registry),
            webhooks: WebhookService(dispatcher: webhookDispatcher), webhookDispatcher: webhookDispatcher,
            webhookTransport: webhookTransport,
            files: files, backups: backups, scheduler: scheduler, functions: functions, functionHTTP: functionHTTP)
        try services.registerSystemJobs(clock: configuration.clock, logger: logger)
        return services
    }

    /// What the HTTP transport needs, with its own settings from `configuration`.
    func http(_ configuration: SwiftbaseConfiguration) -> HTTPServices {
        HTTPServices(
            store: store, schema: schema, collections: collections, records: records, auth: auth, accounts: accounts,
            apiKeys: apiKeys, audit: audit, logs: logs, settings: settings, identities: identities, presenter: presenter,
            realtime: realtime, changes: changes, consumers: consumers, webhooks: webhooks, maxBodySize: configuration.maxBodySize, metrics: configuration.metrics, files: files,
            thumbnails: ImageThumbnailer(), backups: backups, scheduler: scheduler, functions: functions,
            restart: configuration.restart,
            sqlConsole: (store as? SQLiteStore)?.console(timeout: configuration.sqlTimeout))
    }
}
