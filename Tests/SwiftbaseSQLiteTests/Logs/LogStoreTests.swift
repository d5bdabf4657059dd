import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// The logs store (`auxiliary.db`) behind PocketBase's logs API: filters and sorts over `data.*`, paging,
/// hourly counts and pruning by `logs.maxDays`.
@Suite("Request log store")
struct LogStoreTests {
    private func seeded(_ label: String) async throws -> (LogFixture, [LogEntry]) {
        let fixture = try await LogFixture(label)
        let entries = [
            LogFixture.entry(method: "GET", uri: "/api/health", status: 200, execTime: 0.5),
            LogFixture.entry(method: "POST", uri: "/api/collections/posts/records", status: 200, execTime: 7.25),
            LogFixture.entry(method: "GET", uri: "/api/nope", status: 404, execTime: 0.1, failed: true),
            LogFixture.entry(method: "PATCH", uri: "/api/settings", status: 400, execTime: 3, failed: true),
            LogFixture.entry(method: "GET", uri: "/api/collections/posts/records?filter=a%20b", status: 200, execTime: 12),
        ]
        try await fixture.logStore.insert(entries)
        return (fixture, entries)
    }

    private func ids(_ fixture: LogFixture, filter: String = "", sort: String = "") async throws -> [String] {
        try await fixture.logs.list(RecordListOptions(perPage: 100, sort: sort, filter: filter)).items.map(\.id)
    }

    @Test func filtersOverDataPathsLevelAndMessage() async throws {
        let (fixture, e) = try await seeded("logs-filter")
        defer { fixture.remove() }
        #expect(try await ids(fixture) == e.map(\.id))  // insertion order without a sort
        #expect(try await ids(fixture, filter: "data.status >= 400") == [e[2].id, e[3].id])
        #expect(try await ids(fixture, filter: "data.method = 'POST'") == [e[1].id])
        #expect(try await ids(fixture, filter: "level = 8") == [e[2].id, e[3].id])
        #expect(try await ids(fixture, filter: "level = 0 && data.execTime > 5") == [e[1].id, e[4].id])
        #expect(try await ids(fixture, filter: "data.auth = ''").count == 5)
        #expect(try await ids(fixture, filter: "message ~ 'filter=a b'") == [e[4].id])
        #expect(try await ids(fixture, filter: "data.type = 'request' && data.missing = null").count == 5)
        #expect(try await ids(fixture, sort: "-data.execTime") == [e[4].id, e[1].id, e[3].id, e[0].id, e[2].id])
        #expect(try await ids(fixture, sort: "-@rowid") == e.map(\.id).reversed())
    }

    @Test func pagesCountAndRefuseBadQueries() async throws {
        let (fixture, e) = try await seeded("logs-paging")
        defer { fixture.remove() }
        let page = try await fixture.logs.list(RecordListOptions(page: 2, perPage: 2))
        #expect(page.items.map(\.id) == [e[2].id, e[3].id])
        #expect(page.totalItems == 5)
        #expect(page.totalPages == 3)
        let skipped = try await fixture.logs.list(RecordListOptions(page: 1, perPage: 2, skipTotal: true))
        #expect(skipped.totalItems == -1)
        for (filter, sort) in [("bad((", ""), ("nope = 1", ""), ("", "-nope"), ("data.a-b = 1", "")] {
            await #expect(throws: SwiftbaseError.self) {
                _ = try await fixture.logs.list(RecordListOptions(sort: sort, filter: filter))
            }
        }
        let found = try await fixture.logs.entry(id: e[3].id)
        #expect(found == e[3])
        #expect(found?.data["details"] == .null)
        #expect(try await fixture.logs.entry(id: "missing") == nil)
    }

    @Test func countsPerHour() async throws {
        let fixture = try await LogFixture("logs-stats")
        defer { fixture.remove() }
        let hour = DateTime.parse("2026-12-01 10:00:00.000Z")!
        try await fixture.logStore.insert([
            LogFixture.entry(created: hour.addingTimeInterval(60)),
            LogFixture.entry(status: 500, failed: true, created: hour.addingTimeInterval(3599)),
            LogFixture.entry(created: hour.addingTimeInterval(3600)),
            LogFixture.entry(status: 404, failed: true, created: hour.addingTimeInterval(-1)),
        ])
        let all = try await fixture.logs.hourlyStats(filter: "")
        #expect(
            all == [
                LogHourCount(date: "2026-12-01 09:00:00.000Z", total: 1), LogHourCount(date: "2026-12-01 10:00:00.000Z", total: 2),
                LogHourCount(date: "2026-12-01 11:00:00.000Z", total: 1),
            ])
        let failed = try await fixture.logs.hourlyStats(filter: "data.status >= 400")
        #expect(failed.map(\.total) == [1, 1])
        do {
            _ = try await fixture.logs.hourlyStats(filter: "bad((")
            Issue.record("an invalid filter was accepted")
        } catch let error as SwiftbaseError {
            #expect(error.message == "Invalid filter format.")
            #expect(error.code == .badRequest)
        }
    }

    @Test func pruneDeletesWhatIsOlderThanMaxDays() async throws {
        let fixture = try await LogFixture("logs-prune")
        defer { fixture.remove() }
        let now = DateTime.parse("2026-12-06 12:00:00.000Z")!
        let day = 86_400.0
        let old = LogFixture.entry(created: now.addingTimeInterval(-3 * day))
        let edge = LogFixture.entry(created: now.addingTimeInterval(-2 * day - 1))
        let recent = LogFixture.entry(created: now.addingTimeInterval(-1 * day))
        try await fixture.logStore.insert([old, edge, recent])
        try await fixture.settings.update(["logs": ["maxDays": 2]])
        #expect(fixture.logs.settings.maxDays == 2)
        #expect(try await fixture.logs.prune(now: now) == 2)
        #expect(try await fixture.logs.list(RecordListOptions()).items == [recent])
        let failed = LogFixture.entry(status: 500, failed: true, created: now.addingTimeInterval(-1))
        try await fixture.logStore.insert([failed])
        try await fixture.settings.update(["logs": ["minLevel": 8]])
        #expect(try await fixture.logs.pruneToSettings(now: now) == 1)  // the info entry, not the failure
        #expect(try await fixture.logs.list(RecordListOptions()).items == [failed])
        try await fixture.settings.update(["logs": ["maxDays": 0]])
        #expect(try await fixture.logs.prune(now: now) == 1)
        #expect(try await fixture.logs.list(RecordListOptions()).totalItems == 0)
    }

    @Test func settingsDecideWhatIsRecorded() async throws {
        let fixture = try await LogFixture("logs-settings", limits: .init(interval: .seconds(60)))
        defer { fixture.remove() }
        let facts = RequestLogFacts(
            method: "get", uri: "/api/x%2Fy?q=%20", status: 200, execTimeNanoseconds: 1_500_000, authCollection: "users",
            authId: "u1", userIP: "10.0.0.1", remoteIP: "10.0.0.2", referer: "r", userAgent: "ua", failure: nil)
        let entry = try #require(facts.entry(settings: LogSettings(), now: Date()))
        #expect(entry.message == "GET /api/x/y?q= ")
        #expect(entry.level == 0)
        #expect(entry.data["url"] == "/api/x%2Fy?q=%20")
        #expect(entry.data["userIP"] == "10.0.0.1")
        #expect(entry.data["remoteIP"] == "10.0.0.2")
        #expect(entry.data["authId"] == nil)
        #expect(entry.data["error"] == nil)
        let quiet = try #require(facts.entry(settings: LogSettings(logIP: false, logAuthId: true), now: Date()))
        #expect(quiet.data["userIP"] == nil && quiet.data["remoteIP"] == nil)
        #expect(quiet.data["authId"] == "u1")
        #expect(facts.entry(settings: LogSettings(maxDays: 0), now: Date()) == nil)
        #expect(facts.entry(settings: LogSettings(minLevel: 4), now: Date()) == nil)
        var failed = facts
        failed.failure = .init(message: "Failed to create record.", details: ["title": "Cannot be blank."])
        let error = try #require(failed.entry(settings: LogSettings(minLevel: 4), now: Date()))
        #expect(error.level == 8)
        #expect(error.data["details"]?["title"] == "Cannot be blank.")
        #expect(RequestLogFacts.cut(String(repeating: "é", count: 10), 4) == "éé...")

        try await fixture.settings.update(["logs": ["maxDays": 0]])
        await fixture.logs.record(facts)
        #expect(fixture.logs.writer.buffered == 0)
        try await fixture.settings.update(["logs": ["maxDays": 3]])
        await fixture.logs.record(facts)
        #expect(fixture.logs.writer.buffered == 1)
    }
}
