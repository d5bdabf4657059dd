import Foundation
import Hummingbird
import Swiftbase
import SwiftbaseTesting
import Testing

/// The scheduler's system jobs that clean what expires: `__pbOTPCleanup__` and `__pbMFACleanup__` (hourly, as
/// in PocketBase), judged on the app's clock.
@Suite(.timeLimit(.minutes(1)))
struct SystemJobsTests {
    @Test func expiredOTPsAndMFASessionsAreDeleted() async throws {
        let clock = ManualClock()
        let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
        try await test.test { client in
            let token = try await client.superuserToken()
            let created = try await client.request(
                .post, "/api/collections/users/records", token: token,
                json: ["email": "u@example.com", "password": "1234567890", "passwordConfirm": "1234567890"])
            #expect(created.status == 200)
            let services = test.app.services
            let users = try #require(services.schema.snapshot.collection("users"))
            let user = try #require(try await services.auth.findRecord(email: "u@example.com", in: users))
            _ = try await services.accounts.issueOTP(for: user, in: users, sentTo: "u@example.com")
            _ = try await services.records.create(
                in: "_mfas",
                input: RecordInput([
                    "collectionRef": .string(users.id), "recordRef": .string(user.id), "method": "password",
                ]),
                request: RequestInfo(auth: .system, method: "POST"))
            func list(_ collection: String) async throws -> JSONValue {
                try await client.request(.get, "/api/collections/\(collection)/records", token: token).json
            }
            func count(_ collection: String) async throws -> Int {
                Int(try await list(collection)["totalItems"]?.doubleValue ?? -1)
            }
            /// When a record was created, as stamped (the expiry is counted from it, on the app's clock).
            func createdAt(_ collection: String) async throws -> Date {
                let text = try await list(collection)["items"]?.arrayValue?.first?["created"]?.stringValue
                return try #require(text.flatMap(DateTime.parse))
            }
            #expect(try await count("_otps") == 1)
            #expect(try await count("_mfas") == 1)
            let otpCreated = try await createdAt("_otps")
            let mfaCreated = try await createdAt("_mfas")
            let jobs = services.scheduler.jobs
            #expect(jobs.contains(.init(id: "__pbOTPCleanup__", expression: "0 * * * *")))
            #expect(jobs.contains(.init(id: "__pbMFACleanup__", expression: "0 * * * *")))

            func runBoth() async {
                #expect(await services.scheduler.run(id: "__pbOTPCleanup__"))
                #expect(await services.scheduler.run(id: "__pbMFACleanup__"))
            }
            func moveClock(to date: Date) {
                clock.advance(by: max(0, date.timeIntervalSince(clock.now)))
            }
            // OTPs last 180 s by default, MFA sessions 600 s.
            moveClock(to: otpCreated.addingTimeInterval(170))
            await runBoth()
            #expect(try await count("_otps") == 1)
            moveClock(to: otpCreated.addingTimeInterval(190))
            await runBoth()
            // (An hourly run the clock's move made due may hold the job: wait for its result, not the call's.)
            try await waitUntil("the expired OTP is gone") { try await count("_otps") == 0 }
            #expect(clock.now < mfaCreated.addingTimeInterval(600))
            #expect(try await count("_mfas") == 1)
            moveClock(to: mfaCreated.addingTimeInterval(610))
            await runBoth()
            try await waitUntil("the expired MFA session is gone") { try await count("_mfas") == 0 }
        }
    }
}
