import Foundation
import Hummingbird
import Swiftbase
import SwiftbaseTesting
import Synchronization
import Testing

/// `/api/crons` and the jobs the app registers, on a `ManualClock` so a job's minute comes when the test says.
@Suite(.timeLimit(.minutes(1)))
struct CronRoutesTests {
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    static func ids(_ reply: SwiftbaseTestClient.Reply) -> [String] {
        reply.json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    @Test func listRunAndAuthorization() async throws {
        let runs = Counter()
        let test = try await SwiftbaseTestApp.make(install: { app in
            try app.services.scheduler.register(id: "report", expression: "@hourly") { runs.add() }
        })
        try await test.test { client in
            let token = try await client.superuserToken()
            let list = try await client.request(.get, "/api/crons", token: token)
            #expect(list.status == 200)
            #expect(Self.ids(list) == ["__sbChangesRetention__", "__sbTimeSeriesRetention__", "report", "__pbLogsCleanup__", "__pbMFACleanup__", "__pbOTPCleanup__"])
            for item in list.json.arrayValue ?? [] {
                #expect(item.objectValue.map { Set($0.keys) } == ["id", "expression"])
            }
            #expect(list.json.arrayValue?[2]["expression"] == "0 * * * *")

            #expect(try await client.request(.get, "/api/crons").status == 401)
            #expect(try await client.request(.post, "/api/crons/report").status == 401)
            let missing = try await client.request(.post, "/api/crons/nope", token: token)
            #expect(missing.status == 404)
            #expect(missing.json["message"] == "Missing or invalid cron job.")

            #expect(try await client.request(.post, "/api/crons/report", token: token).status == 204)
            try await waitUntil("the job ran") { runs.count == 1 }
        }
    }

    @Test func backupsCronRegistersTheAutoBackupJobWhichKeepsCronMaxKeep() async throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_767_225_630))  // 2026-01-01 00:00:30 UTC
        let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
        try await test.test { client in
            let token = try await client.superuserToken()
            let patch = try await client.request(
                .patch, "/api/settings", token: token, json: ["backups": ["cron": "@hourly", "cronMaxKeep": 1]])
            #expect(patch.status == 200)
            let list = try await client.request(.get, "/api/crons", token: token)
            #expect(Self.ids(list) == ["__sbChangesRetention__", "__sbTimeSeriesRetention__", "__pbAutoBackup__", "__pbLogsCleanup__", "__pbMFACleanup__", "__pbOTPCleanup__"])
            #expect(list.json.arrayValue?[2]["expression"] == "0 * * * *")

            func automatic() async throws -> [String] {
                let backups = try await client.request(.get, "/api/backups", token: token).json.arrayValue ?? []
                return backups.compactMap { $0["key"]?.stringValue }.filter { $0.hasPrefix("@auto_pb_backup_") }
            }
            clock.advance(by: 3600)  // 01:00:30: the 01:00 run is due
            try await waitUntil("the first automatic backup") { try await automatic().count == 1 }
            #expect(try await automatic() == ["@auto_pb_backup_acme_20260101010030.zip"])
            // The file is listed once written; the run then prunes and ends.
            try await waitUntil("the first run ended") { !test.app.services.scheduler.isRunning("__pbAutoBackup__") }
            // A backup made by hand is never an automatic one to delete.
            #expect(try await client.request(.post, "/api/backups", token: token, json: ["name": "mine.zip"]).status == 204)
            clock.advance(by: 3600)
            try await waitUntil("the second one replaced the first") {
                try await automatic() == ["@auto_pb_backup_acme_20260101020030.zip"]
            }
            let all = try await client.request(.get, "/api/backups", token: token).json.arrayValue ?? []
            #expect(all.contains { $0["key"] == "mine.zip" })

            let cleared = try await client.request(.patch, "/api/settings", token: token, json: ["backups": ["cron": ""]])
            #expect(cleared.status == 200)
            #expect(!Self.ids(try await client.request(.get, "/api/crons", token: token)).contains("__pbAutoBackup__"))
        }
    }
}
