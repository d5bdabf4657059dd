import Logging
public import Prometheus
public import SwiftbaseCore
public import SwiftbaseServices

/// What the HTTP transport receives from the composition root (`AppServices` in the `Swiftbase` module):
/// the core services its routes call, the seams every transport shares (identity resolution, record
/// presentation, the realtime hub), and its own settings. The rate limiter is the one piece it builds itself.
public struct HTTPServices: Sendable {
    public let store: any Store
    public let schema: SchemaRegistry
    public let collections: CollectionService
    public let records: RecordService
    public let auth: AuthService
    public let accounts: AccountService
    /// OAuth2 sign-in (`auth-with-oauth2`).
    public let oauth2: OAuth2Service
    public let apiKeys: APIKeyService
    public let audit: AuditLog
    /// Request logs (`/api/logs`; every request is recorded by `RequestLogMiddleware`).
    public let logs: LogService
    public let settings: SettingsService
    /// Credential → identity, for the REST middleware and both realtime transports.
    public let identities: IdentityResolver
    /// Records → the JSON the API answers (expand, email visibility, `fields`).
    public let presenter: RecordPresenter
    public let realtime: SubscriptionHub
    /// The change log for readers (`/api/changes`).
    public let changes: ChangeFeed
    /// Named consumers of the change log (`/api/consumers`).
    public let consumers: ConsumerService
    /// Webhooks and their deliveries (`/api/webhooks`).
    public let webhooks: WebhookService
    /// Functions (`/api/functions`, `/api/fn`); nil when the app runs without them.
    public let functions: FunctionService?
    public let rateLimiter: RateLimiter
    /// Request bodies larger than this are refused with 413.
    public let maxBodySize: Int
    /// Where this instance's metrics are kept and exported from (`GET /api/metrics`).
    public let metrics: PrometheusCollectorRegistry
    /// Uploaded files (the record service writes them; downloads read them).
    public let files: any FileStore
    /// Thumbnails of image uploads; without one, thumbs are served as the original.
    public let thumbnails: (any Thumbnailing)?
    public let backups: BackupService
    /// The cron scheduler (`/api/crons`).
    public let scheduler: CronScheduler
    /// Starts the process again (a staged restore is applied at start); nil when the embedder cannot.
    public let restart: (@Sendable () -> Void)?
    /// The superuser SQL console (`POST /api/sql`); nil when the store has none (the route answers 404).
    public let sqlConsole: (any SQLConsole)?

    public init(
        store: any Store, schema: SchemaRegistry, collections: CollectionService, records: RecordService,
        auth: AuthService, accounts: AccountService, apiKeys: APIKeyService, audit: AuditLog, logs: LogService,
        settings: SettingsService, identities: IdentityResolver, presenter: RecordPresenter, realtime: SubscriptionHub,
        changes: ChangeFeed, consumers: ConsumerService, webhooks: WebhookService, maxBodySize: Int, metrics: PrometheusCollectorRegistry, files: any FileStore,
        thumbnails: (any Thumbnailing)? = nil, backups: BackupService, scheduler: CronScheduler,
        functions: FunctionService? = nil, restart: (@Sendable () -> Void)? = nil, oauth2: OAuth2Service? = nil,
        sqlConsole: (any SQLConsole)? = nil
    ) {
        self.store = store
        self.schema = schema
        self.collections = collections
        self.records = records
        self.auth = auth
        self.accounts = accounts
        self.oauth2 =
            oauth2
            ?? OAuth2Service(
                records: records, auth: auth, transport: HTTPOAuth2Transport(),
                logger: Logger(label: "swiftbase.oauth2"))
        self.apiKeys = apiKeys
        self.audit = audit
        self.logs = logs
        self.settings = settings
        self.identities = identities
        self.presenter = presenter
        self.realtime = realtime
        self.changes = changes
        self.consumers = consumers
        self.webhooks = webhooks
        self.functions = functions
        self.rateLimiter = RateLimiter(settings: settings)
        self.maxBodySize = maxBodySize
        self.metrics = metrics
        self.files = files
        self.thumbnails = thumbnails
        self.backups = backups
        self.scheduler = scheduler
        self.restart = restart
        self.sqlConsole = sqlConsole
    }
}
