import Foundation
import Hummingbird
import Swiftbase
import SwiftbaseTesting
import Testing

/// What expires is judged against the app's clock (`SwiftbaseConfiguration.clock`): moving a `ManualClock`
/// past an expiry has the effect waiting would, without the wait.
@Suite(.timeLimit(.minutes(1)))
struct ClockTests {
    static func collectionsStatus(_ client: SwiftbaseTestClient, token: String) async throws -> Int {
        try await client.request(.get, "/api/collections", token: token).status
    }

    @Test func tokensExpireWhenTheClockPassesTheirLifetime() async throws {
        let clock = ManualClock()
        let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
        try await test.test { client in
            let token = try await client.superuserToken()
            #expect(try await Self.collectionsStatus(client, token: token) == 200)
            clock.advance(by: 86_400 - 60)  // the superusers' default lifetime is a day
            #expect(try await Self.collectionsStatus(client, token: token) == 200)
            clock.advance(by: 120)
            #expect(try await Self.collectionsStatus(client, token: token) == 401)
            // A token issued now, by the same clock, is good again.
            #expect(try await Self.collectionsStatus(client, token: client.superuserToken()) == 200)
        }
    }

    @Test func apiKeysExpireByTheClockAndTheirExpiryMustBeInItsFuture() async throws {
        let clock = ManualClock()
        let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
        try await test.test { client in
            let token = try await client.superuserToken()
            // Superusers only (no rules): a key that no longer counts is refused, not shown an empty list.
            #expect(try await client.request(.post, "/api/collections", token: token, json: ["name": "notes"]).status == 200)
            let inAnHour = DateTime.format(clock.now.addingTimeInterval(3600))
            let created = try await client.request(
                .post, "/api/keys", token: token,
                json: ["name": "reporting", "scopes": [["collection": "notes", "actions": ["list"]]], "expires": .string(inAnHour)])
            #expect(created.status == 200)
            let key = created.json["key"]?.stringValue ?? ""
            #expect(try await client.request(.get, "/api/collections/notes/records", token: key).status == 200)
            clock.advance(by: 3601)
            #expect(try await client.request(.get, "/api/collections/notes/records", token: key).status == 403)
            // "An hour from now" by the system clock is already the past by this one.
            let stale = try await client.request(
                .post, "/api/keys", token: client.superuserToken(),
                json: ["name": "late", "scopes": [["collection": "*", "actions": ["list"]]], "expires": .string(inAnHour)])
            #expect(stale.status == 400)
            #expect(stale.json["data"]?["expires"]?["code"] == "validation_invalid_date")
        }
    }

    @Test func aReaderBehindThePrunedLogGets410WithTheOldestSeq() async throws {
        let clock = ManualClock()
        let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
        try await test.test { client in
            let token = try await client.superuserToken()
            #expect(try await client.request(.post, "/api/collections", token: token, json: ["name": "notes"]).status == 200)
            for _ in 0..<3 { _ = try await client.request(.post, "/api/collections/notes/records", token: token, json: [:]) }
            let head = try await client.request(.get, "/api/changes", token: token).json["next"]?.doubleValue ?? 0
            // Past the default seven days: the retention job (every minute, on the app's clock) is due and prunes.
            clock.advance(by: 8 * 86_400)
            let fresh = try await client.superuserToken()  // the first token died with the eight days
            try await waitUntil("the retention job pruned the log") {
                try await client.request(.get, "/api/changes?after=0", token: fresh).status == 410
            }
            let behind = try await client.request(.get, "/api/changes?after=0", token: fresh)
            #expect(behind.status == 410)
            // Everything written before the eight days is gone. The new token's login (it touches
            // `_authOrigins`) writes an entry of its own, which the job, racing with it, may have pruned too.
            let oldest = behind.json["data"]?["after"]?["params"]?["oldestSeq"]?.doubleValue ?? 0
            #expect(oldest == head + 1 || oldest == head + 2, "oldest \(oldest), head \(head)")
            let caughtUp = try await client.request(.get, "/api/changes?after=\(Int(oldest) - 1)", token: fresh)
            #expect(caughtUp.status == 200)
        }
    }
}
