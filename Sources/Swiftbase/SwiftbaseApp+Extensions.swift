import Foundation
public import Hummingbird
public import ServiceLifecycle
public import SwiftbaseHTTP
public import SwiftbaseCore
import SwiftbaseGraphQL
import SwiftbaseMQTT
import SwiftbaseServices
import Synchronization

/// Routes and services added by an embedding program, kept until `run`.
struct AppExtensions: Sendable {
    var routes: [@Sendable (Router<SwiftbaseRequestContext>) -> Void] = []
    var services: [any Service] = []
}

/// What an embedding program adds to the app before `run`: routes beside Swiftbase's own and services that
/// run and stop with it.
///
/// ```swift
/// let app = try await SwiftbaseApp.open(SwiftbaseConfiguration(dataDirectory: "./sb_data"))
/// app.addRoutes { router in
///     router.get("/api/hello") { _, context in
///         guard context.auth.isAuthenticated else { throw SwiftbaseError.unauthorized() }
///         return "hello"
///     }
/// }
/// app.addService(MyNightlyReport(app.services))
/// try await app.run()
/// ```
extension SwiftbaseApp {
    /// Adds routes to the server. They run behind Swiftbase's middleware: `context.auth` is the request's
    /// identity (record or superuser token, `sbk_` API key, or guest), a thrown `SwiftbaseError` answers in
    /// PocketBase's error shape, and the configured rate limits apply. Call before `run`.
    public func addRoutes(_ add: @escaping @Sendable (Router<SwiftbaseRequestContext>) -> Void) {
        extensions.withLock { $0.routes.append(add) }
    }

    /// Adds a service that runs with the app: started before the server opens its port, stopped (gracefully)
    /// after the server has drained, in reverse order of adding. Call before `run`.
    public func addService(_ service: any Service) {
        extensions.withLock { $0.services.append(service) }
    }

    /// The record hooks every write runs (see `RecordHooks`); register them before `run`.
    public var hooks: RecordHooks { services.records.hooks }

    /// Swiftbase's routes and middleware (GraphQL at `/api/graphql` among them), then the added routes.
    public func router() -> Router<SwiftbaseRequestContext> {
        router(graphQL: GraphQLRoutes(services: http, logger: logger))
    }

    func router(graphQL: GraphQLRoutes) -> Router<SwiftbaseRequestContext> {
        let router = Routes.router(
            services: http, allowedOrigins: configuration.allowedOrigins,
            publicFiles: configuration.publicDirectory.map {
                PublicFiles(root: URL(fileURLWithPath: $0, isDirectory: true), indexFallback: configuration.indexFallback)
            })
        graphQL.add(to: router)
        if configuration.mqttAddress != nil { MQTTRoutes(broker: mqttBroker, audit: services.audit).add(to: router) }
        for add in extensions.withLock({ $0.routes }) { add(router) }
        return router
    }

    /// The services `run` runs, in start order: audit, mail, after-commit hooks, the cron scheduler and
    /// webhook delivery first
    /// (they stop last, storing, sending and delivering what the rest left), the added services, the HTTP
    /// server, then realtime
    /// (stopped first, ending the streams the server would otherwise wait for); the MQTT listener sits after the HTTP
    /// server when `--mqtt` is set.
    func serviceList(http: any Service) -> [any Service] {
        supportingServices() + [http] + (mqttServer().map { [$0] } ?? []) + [realtimeService()]
    }

    /// What runs beside the HTTP server, in start order (stopped in reverse): request logs, audit, mail, after-commit hooks,
    /// the added services, realtime. For a program that serves the router itself, as `SwiftbaseTesting` does.
    public func backgroundServices() -> [any Service] {
        supportingServices() + [realtimeService()]
    }

    private func supportingServices() -> [any Service] {
        // First, so it stops last: requests drained at shutdown are logged, then flushed.
        let requestLogs = LogWriterService(writer: services.logs.writer)
        let audit = AuditFlushService(audit: services.audit, logger: logger)
        let mail = MailDeliveryService(queue: services.accounts.queue, mailer: services.accounts.mailer, logger: logger)
        let hooks = RecordHookDeliveryService(hooks: hooks, logger: logger)
        let scheduler = CronSchedulerService(scheduler: services.scheduler)
        let webhooks = WebhookDeliveryService(
            dispatcher: services.webhookDispatcher, transport: services.webhookTransport)
        let functionHTTP = services.functionHTTP
        let functionHooks = FunctionHooksService(functions: services.functions, onStop: { await functionHTTP.shutdown() })
        let functionFiles = FunctionDirectoryWatcher(
            directory: URL(fileURLWithPath: configuration.resolvedFunctionsDirectory, isDirectory: true),
            functions: services.functions, logger: logger)
        return [requestLogs, audit, mail, hooks, scheduler, webhooks, functionHooks, functionFiles] + extensions.withLock { $0.services }
    }

    private func realtimeService() -> any Service {
        RealtimeService(hub: services.realtime, events: services.events)
    }
}
