import BookmarksApp
import Foundation
import Swiftbase
import SwiftbaseTesting
import Testing

/// The bookmarks app through its HTTP API, as its users call it: the migration's collections, the hooks,
/// the export route and the expiry service, each on a fresh data directory.
@Suite(.timeLimit(.minutes(1)))
struct BookmarksAppTests {
    static func make(expiryInterval: Duration = .seconds(60)) async throws -> SwiftbaseTestApp {
        try await SwiftbaseTestApp.make(modules: [Bookmarks(expiryInterval: expiryInterval)])
    }

    /// Signs up `email` and answers its id and token.
    static func user(_ email: String, _ client: SwiftbaseTestClient) async throws -> (id: String, token: String) {
        let created = try await client.request(
            .post, "/api/collections/users/records",
            json: ["email": .string(email), "password": "secret-123", "passwordConfirm": "secret-123"])
        let token = try await client.authToken(collection: "users", identity: email, password: "secret-123")
        return (created.json["id"]?.stringValue ?? "", token)
    }

    static func bookmark(
        _ url: String, by user: (id: String, token: String), _ client: SwiftbaseTestClient, extra: JSONValue = [:]
    ) async throws -> SwiftbaseTestClient.Reply {
        var body = extra.objectValue ?? [:]
        body["url"] = .string(url)
        body["owner"] = .string(user.id)
        return try await client.request(.post, "/api/collections/bookmarks/records", token: user.token, json: .object(body))
    }

    @Test func bookmarksAreCheckedAndFilledInBeforeTheyAreStored() async throws {
        try await Self.make().test { client in
            let ada = try await Self.user("ada@example.com", client)
            let saved = try await Self.bookmark("https://Swift.org/blog", by: ada, client)
            #expect(saved.status == 200)
            #expect(saved.json["host"] == "swift.org")
            #expect(saved.json["title"] == "swift.org")
            let titled = try await Self.bookmark("https://example.com", by: ada, client, extra: ["title": "Example"])
            #expect(titled.json["title"] == "Example")

            let refused = try await Self.bookmark("ftp://files.example.com/a", by: ada, client)
            #expect(refused.status == 400)
            #expect(
                refused.json == [
                    "status": 400, "message": "Failed to create record.",
                    "data": ["url": ["code": "validation_web_url", "message": "Only http and https links can be bookmarked."]],
                ])
            // The rule still applies after the hooks: nobody bookmarks for someone else.
            let grace = try await Self.user("grace@example.com", client)
            let forged = try await client.request(
                .post, "/api/collections/bookmarks/records", token: grace.token,
                json: ["url": "https://swift.org", "owner": .string(ada.id)])
            #expect(forged.status == 400)
        }
    }

    @Test func hostCountsFollowEveryCommittedChange() async throws {
        try await Self.make().test { client in
            let ada = try await Self.user("ada@example.com", client)
            let first = try await Self.bookmark("https://swift.org/a", by: ada, client)
            _ = try await Self.bookmark("https://swift.org/b", by: ada, client)
            _ = try await Self.bookmark("https://example.com/", by: ada, client)
            let moved = try await client.request(
                .patch, "/api/collections/bookmarks/records/\(first.json["id"]?.stringValue ?? "")", token: ada.token,
                json: ["url": "https://example.com/a"])
            #expect(moved.json["host"] == "example.com")

            func counts() async throws -> [String: Int] {
                let hosts = try await client.request(.get, "/api/collections/hosts/records?perPage=50")
                var out: [String: Int] = [:]
                for host in hosts.json["items"]?.arrayValue ?? [] {
                    out[host["name"]?.stringValue ?? ""] = Int(host["bookmarks"]?.doubleValue ?? -1)
                }
                return out
            }
            try await waitUntil("hosts are counted") { try await counts() == ["swift.org": 1, "example.com": 2] }
        }
    }

    @Test func theExportHoldsOnlyTheCallersBookmarks() async throws {
        try await Self.make().test { client in
            let ada = try await Self.user("ada@example.com", client)
            let grace = try await Self.user("grace@example.com", client)
            _ = try await Self.bookmark("https://swift.org", by: ada, client, extra: ["title": "Swift"])
            _ = try await Self.bookmark("https://www.sqlite.org", by: ada, client, extra: ["title": "SQLite"])
            _ = try await Self.bookmark("https://cobol.example", by: grace, client, extra: ["title": "COBOL"])

            let export = try await client.request(.get, "/api/bookmarks/export", token: ada.token)
            #expect(export.status == 200)
            #expect(export.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(export.json == "SQLite <https://www.sqlite.org>\nSwift <https://swift.org>")
            let guest = try await client.request(.get, "/api/bookmarks/export")
            #expect(guest.status == 401)
            #expect(guest.json["message"] == "Sign in to export your bookmarks.")
        }
    }

    @Test func expiredBookmarksAreRemovedInTheBackground() async throws {
        try await Self.make(expiryInterval: .milliseconds(50)).test { client in
            let ada = try await Self.user("ada@example.com", client)
            _ = try await Self.bookmark("https://old.example", by: ada, client, extra: ["expires": "2001-01-01 00:00:00.000Z"])
            _ = try await Self.bookmark("https://kept.example", by: ada, client, extra: ["expires": "2999-01-01 00:00:00.000Z"])
            _ = try await Self.bookmark("https://forever.example", by: ada, client)
            func hosts() async throws -> [String] {
                let list = try await client.request(.get, "/api/collections/bookmarks/records?sort=host", token: ada.token)
                return list.json["items"]?.arrayValue?.compactMap { $0["host"]?.stringValue } ?? []
            }
            try await waitUntil("the expired bookmark is gone") { try await hosts() == ["forever.example", "kept.example"] }
        }
    }

    @Test func theMigrationsRunOncePerDataDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bookmarks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = SwiftbaseConfiguration(dataDirectory: directory.path)
        let first = try await SwiftbaseApp.open(configuration, modules: [Bookmarks()])
        let second = try await SwiftbaseApp.open(configuration, modules: [Bookmarks()])
        for app in [first, second] {
            let hosts = try await app.services.records.list(
                in: "hosts", options: RecordListOptions(), request: RequestInfo(auth: .system))
            #expect(hosts.items.map { $0["name"] } == ["swift.org"])  // seeded once
        }
    }
}
