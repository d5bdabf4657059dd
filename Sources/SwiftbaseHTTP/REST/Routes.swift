public import Hummingbird
import SwiftbaseCore

/// Every route family of the REST API, and the middleware they run behind, in one place.
public enum Routes {
    /// `publicFiles`, when given, serves a folder at `/` for the paths no route answers (PocketBase's `pb_public`).
    public static func router(
        services: HTTPServices, allowedOrigins: [String] = ["*"], publicFiles: PublicFiles? = nil
    ) -> Router<SwiftbaseRequestContext> {
        let router = Router(context: SwiftbaseRequestContext.self)
        // First, so every later reader of the client's address sees the trusted proxy's answer.
        router.middlewares.add(ClientIPMiddleware(settings: services.settings))
        router.middlewares.add(HeadersMiddleware(allowedOrigins: allowedOrigins))
        // Requests, errors and durations per route, into swift-metrics' global system (Prometheus in the CLI).
        router.middlewares.add(RequestMetricsMiddleware())
        router.middlewares.add(AuthenticationMiddleware(resolver: services.identities))
        // Inside authentication, so errors (and the audit events they carry) know who asked.
        router.middlewares.add(ErrorMiddleware(audit: services.audit))
        // Inside both: who asked, and the error a handler threw before it becomes a response.
        router.middlewares.add(RequestLogMiddleware(logs: services.logs))
        // Inside the log, so a refused superuser request is logged as PocketBase logs it.
        router.middlewares.add(SuperuserIPsMiddleware(settings: services.settings))
        router.middlewares.add(RateLimitMiddleware(limiter: services.rateLimiter))

        HealthRoutes(settings: services.settings).add(to: router)
        CollectionRoutes(services: services).add(to: router)
        RecordRoutes(services: services).add(to: router)
        let authRoutes = RecordAuthRoutes(services: services)
        authRoutes.add(to: router)
        RecordAuthMailRoutes(services: services, authRoutes: authRoutes).add(to: router)
        RecordAuthOAuth2Routes(services: services, authRoutes: authRoutes).add(to: router)
        APIKeyRoutes(services: services).add(to: router)
        AuditRoutes(services: services).add(to: router)
        LogRoutes(services: services).add(to: router)
        SettingsRoutes(services: services).add(to: router)
        RealtimeRoutes(services: services).add(to: router)
        ChangeRoutes(services: services).add(to: router)
        ConsumerRoutes(services: services).add(to: router)
        WebhookRoutes(services: services).add(to: router)
        if let functions = services.functions { FunctionRoutes(services: services, functions: functions).add(to: router) }
        MetricsRoutes(services: services).add(to: router)
        BatchRoutes(services: services).add(to: router)
        TimeSeriesRoutes(services: services).add(to: router)
        FileRoutes(services: services).add(to: router)
        BackupRoutes(services: services).add(to: router)
        CronRoutes(services: services).add(to: router)
        SQLRoutes(services: services).add(to: router)
        DashboardRoutes().add(to: router)
        if let publicFiles { PublicFileRoutes(files: publicFiles).add(to: router) }
        return router
    }
}
