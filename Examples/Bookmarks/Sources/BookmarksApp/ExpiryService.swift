import Logging
import ServiceLifecycle
import Swiftbase

/// Deletes bookmarks whose `expires` date has passed, every `interval`, through the record service (so the
/// deletes are logged, hooked and counted like any other). Runs and stops with the app.
struct ExpiryService: Service {
    let records: RecordService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep()
            } catch {
                logger.error("expiring bookmarks failed", metadata: ["error": "\(error)"])
            }
            // Wakes early at graceful shutdown, so the app stops at once, not after the interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass: every expired bookmark, oldest first, in pages.
    func sweep() async throws {
        let system = RequestInfo(auth: .system, method: "DELETE")
        while true {
            let expired = try await records.list(
                in: "bookmarks",
                options: RecordListOptions(perPage: 100, skipTotal: true, filter: "expires != '' && expires <= @now"),
                request: system)
            if expired.items.isEmpty { return }
            for bookmark in expired.items {
                try await records.delete(in: "bookmarks", id: bookmark.id, request: system)
            }
        }
    }
}
