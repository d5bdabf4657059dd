public import Prometheus
public import SwiftbaseCore
public import SwiftbaseServices

/// The core services the HTTP routes call, built once by the app.
public struct CoreServices: Sendable {
    public let store: any Store
    public let schema: SchemaRegistry
    public let collections: CollectionService
    public let records: RecordService
    public let auth: AuthService
    public let accounts: AccountService
    public let apiKeys: APIKeyService
    public let audit: AuditLog
    public let settings: SettingsService
    public let rateLimiter: RateLimiter
    public let realtime: SubscriptionHub
    /// Request bodies larger than this are refused with 413.
    public let maxBodySize: Int
    /// Where this instance's metrics are kept and exported from (`GET /api/metrics`).
    public let metrics: PrometheusCollectorRegistry
    /// Uploaded files (the record service writes them; downloads read them).
    public let files: any FileStore
    /// Thumbnails of image uploads; without one, thumbs are served as the original.
    public let thumbnails: (any Thumbnailing)?
    public let backups: BackupService
    /// Starts the process again (a staged restore is applied at start); nil when the embedder cannot.
    public let restart: (@Sendable () -> Void)?

    public init(
        store: any Store, schema: SchemaRegistry, collections: CollectionService, records: RecordService,
        auth: AuthService, accounts: AccountService, apiKeys: APIKeyService, audit: AuditLog,
        settings: SettingsService, maxBodySize: Int, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        files: any FileStore, thumbnails: (any Thumbnailing)? = nil, backups: BackupService,
        restart: (@Sendable () -> Void)? = nil
    ) {
        self.store = store
        self.schema = schema
        self.collections = collections
        self.records = records
        self.auth = auth
        self.accounts = accounts
        self.apiKeys = apiKeys
        self.audit = audit
        self.settings = settings
        self.rateLimiter = RateLimiter(settings: settings)
        self.realtime = SubscriptionHub(
            records: records, metrics: RealtimeMetrics(factory: PrometheusMetricsFactory(registry: metrics)))
        self.maxBodySize = maxBodySize
        self.metrics = metrics
        self.files = files
        self.thumbnails = thumbnails
        self.backups = backups
        self.restart = restart
    }
}
