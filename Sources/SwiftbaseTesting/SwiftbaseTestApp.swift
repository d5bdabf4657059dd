public import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
public import Swiftbase
public import SwiftbaseCore

/// A Swiftbase app on a fresh temporary data directory with one superuser, for tests — the app's routes
/// answered in-process (no port), with its background services running (after-commit hooks, mail, audit,
/// realtime and the services an app added), the way HummingbirdTesting tests a Hummingbird application.
///
/// ```swift
/// @Test func postsGetASlug() async throws {
///     let test = try await SwiftbaseTestApp.make(migrations: MyApp.migrations) { MyApp.install(on: $0) }
///     try await test.test { client in
///         let token = try await client.superuserToken()
///         let post = try await client.request(.post, "/api/collections/posts/records", token: token, json: ["title": "Hi"])
///         #expect(post.json["slug"] == "hi")
///     }
/// }
/// ```
public struct SwiftbaseTestApp: Sendable {
    public static let superuserEmail = "admin@example.com"
    public static let superuserPassword = "1234567890"

    public let app: SwiftbaseApp
    /// The data directory, removed when `test` returns.
    public let directory: URL

    /// Opens an app on a new temporary directory (`configure` may change its configuration) with `migrations`
    /// and `modules` as `SwiftbaseApp.open` does, creates the superuser (`superuserEmail` /
    /// `superuserPassword`) and lets `install` add hooks, routes and services.
    public static func make(
        migrations: [Migration] = [], modules: [any SwiftbaseModule] = [],
        install: (SwiftbaseApp) throws -> Void = { _ in }, configure: (inout SwiftbaseConfiguration) -> Void = { _ in }
    ) async throws -> SwiftbaseTestApp {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbtest-\(UUID().uuidString)")
        var configuration = SwiftbaseConfiguration(dataDirectory: directory.path, maxBodySize: 1 << 20)
        configure(&configuration)
        var logger = Logger(label: "swiftbase-test")
        logger.logLevel = .warning
        let app = try await SwiftbaseApp.open(configuration, migrations: migrations, modules: modules, logger: logger)
        try await app.createSuperuser(email: superuserEmail, password: superuserPassword)
        try install(app)
        return SwiftbaseTestApp(app: app, directory: directory)
    }

    /// Runs `body` with a client of the app's router while the app's background services run; then stops
    /// them gracefully (after-commit hooks deliver what was committed) and removes the data directory.
    public func test(_ body: @Sendable (SwiftbaseTestClient) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = ServiceGroup(
            configuration: .init(services: app.backgroundServices(), logger: app.logger))
        let background = Task { try await group.run() }
        let outcome: Result<Void, any Error>
        do {
            let application = Application(router: app.router())
            try await application.test(.router) { client in try await body(SwiftbaseTestClient(client: client)) }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await background.value
        try outcome.get()
    }
}

/// Waits until `condition` holds, checking every few milliseconds, and throws `WaitTimedOut` after
/// `timeout`: for what an app does in the background (after-commit hooks, services), instead of a sleep.
public func waitUntil(
    _ description: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: description) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// `waitUntil` gave up.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
}
