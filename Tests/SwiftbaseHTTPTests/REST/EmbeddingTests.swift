import Foundation
import Hummingbird
import HummingbirdTesting
import SwiftbaseTesting
import ServiceLifecycle
import Swiftbase
import SwiftbaseCore
import SwiftbaseHTTP
import Synchronization
import Testing

/// An embedding program's routes and services (issue 14): routes run behind Swiftbase's middleware, with the
/// request's identity and PocketBase's error shape; services start with the app and stop with it.
@Suite(.timeLimit(.minutes(1)))
struct EmbeddingTests {
    @Test func addedRoutesSeeTheIdentityAndAnswerErrorsInPocketBaseShape() async throws {
        let test = try await SwiftbaseTestApp.make()
        test.app.addRoutes { router in
            router.get("/api/hello") { _, context -> String in
                guard context.auth.isSuperuser else { throw SwiftbaseError.forbidden("Superusers only.") }
                return "hello \(context.auth.auditActor)"
            }
        }
        try await test.test { client in
            let guest = try await client.request(.get, "/api/hello")
            #expect(guest.status == 403)
            #expect(guest.json == ["status": 403, "message": "Superusers only.", "data": [:]])
            let token = try await client.superuserToken()
            let superuser = try await client.request(.get, "/api/hello", token: token)
            #expect(superuser.status == 200)
            #expect(superuser.json.stringValue?.hasPrefix("hello _superusers:") == true)
            // Swiftbase's own routes are still there.
            #expect(try await client.request(.get, "/api/health").status == 200)
        }
    }

    final class Log: Sendable {
        let entries = Mutex<[String]>([])
    }

    /// Records when it started and how it ended; runs until told to stop.
    struct RecordingService: Service {
        let name: String
        let log: Log

        func run() async throws {
            log.entries.withLock { $0.append("start \(name)") }
            try? await gracefulShutdown()
            log.entries.withLock { $0.append("stop \(name)") }
        }
    }

    @Test func addedServicesRunWithTheAppAndStopWithIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbtest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = SwiftbaseConfiguration(dataDirectory: directory.path)
        configuration.port = 0
        let app = try await SwiftbaseApp.open(configuration)
        let log = Log()
        app.addService(RecordingService(name: "first", log: log))
        app.addService(RecordingService(name: "second", log: log))
        let port = Mutex<Int?>(nil)
        let running = Task {
            try await app.run { bound in port.withLock { $0 = bound } }
        }
        // Wait on the condition: the server is up and both services started.
        let deadline = ContinuousClock.now + .seconds(20)
        while port.withLock({ $0 }) == nil || log.entries.withLock({ $0.count }) < 2 {
            #expect(ContinuousClock.now < deadline, "the app did not start")
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(log.entries.withLock { $0 } == ["start first", "start second"])
        running.cancel()
        _ = await running.result
        #expect(log.entries.withLock { Set($0) } == ["start first", "start second", "stop first", "stop second"])
    }

    @Test func hooksAndMigrationsWorkThroughTheAPI() async throws {
        let migrations = [
            Migration("001_posts") { tx in
                try tx.createCollection([
                    "name": "posts", "createRule": "", "listRule": "",
                    "fields": [["name": "title", "type": "text"], ["name": "slug", "type": "text"]],
                ])
                try tx.createRecord(in: "posts", ["title": "Seeded", "slug": "seeded"])
            }
        ]
        let committed = Mutex<[String]>([])
        let test = try await SwiftbaseTestApp.make(migrations: migrations) { app in
            app.hooks.onRecordCreate("posts") { event in
                let title = event.record["title"]?.stringValue ?? ""
                if title.contains("spam") { throw event.invalid(["title": ErrorItem("validation_spam", "No spam.")]) }
                if event.record["slug"] == .string("") {
                    event.record.values["slug"] = .string(title.lowercased().replacingOccurrences(of: " ", with: "-"))
                }
            }
            app.hooks.onRecordAfterCommit("posts") { change in
                committed.withLock { $0.append("\(change.action.rawValue) \(change.record["title"]?.stringValue ?? "")") }
            }
        }
        try await test.test { client in
            let created = try await client.request(.post, "/api/collections/posts/records", json: ["title": "Hello World"])
            #expect(created.status == 200)
            #expect(created.json["slug"] == "hello-world")
            let spam = try await client.request(.post, "/api/collections/posts/records", json: ["title": "buy spam"])
            #expect(spam.status == 400)
            #expect(
                spam.json == [
                    "status": 400, "message": "Failed to create record.",
                    "data": ["title": ["code": "validation_spam", "message": "No spam."]],
                ])
            let list = try await client.request(.get, "/api/collections/posts/records?sort=slug")
            #expect(list.json["items"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } == ["hello-world", "seeded"])
            try await waitUntil("the create is delivered") { committed.withLock { $0.count } == 1 }
        }
        // The seeded record was committed before the hooks were registered; the refused one never was.
        #expect(committed.withLock { $0 } == ["create Hello World"])
    }
}
