import Foundation
import Synchronization
@testable import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Bulk points take the lean path only when no write hook would act on them: a hook on the collection still sees
/// (and may change or refuse) every point, and a hook for every collection that says it has nothing to do for
/// this one (functions' before hooks) is left out.
@Suite("Time-series point hooks", .timeLimit(.minutes(1)))
struct TimeSeriesPointHooksTests {
    let guest = RequestInfo(auth: .guest, method: "POST")

    func fixture() async throws -> StoreFixture {
        let fixture = try await StoreFixture("ts-hooks")
        _ = try await fixture.collections.create([
            "name": "readings", "type": "timeseries", "createRule": "", "listRule": "",
            "fields": [
                ["name": "time", "type": "date"], ["name": "device", "type": "text"], ["name": "temp", "type": "number"],
            ],
        ])
        return fixture
    }

    func devices(_ fixture: StoreFixture) async throws -> [String] {
        try await fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT "device" FROM "readings" ORDER BY "time""#))
        }.map { $0["device"]?.textValue ?? "" }
    }

    private func point(_ second: Int, _ device: String) -> [String: JSONValue] {
        ["time": .string("2026-12-06 10:00:0\(second).000Z"), "device": .string(device), "temp": .number(1)]
    }

    @Test func aHookOnTheCollectionSeesEveryPoint() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        fixture.records.hooks.onRecordCreate("readings") { event in
            let device = event.record["device"]?.stringValue ?? ""
            if device == "bad" { throw event.invalid(["device": ErrorItem("validation_bad", "Bad device.")]) }
            event.record.values["device"] = .string(device.uppercased())
        }
        let inserted = try await fixture.records.createPoints(
            in: "readings", points: [point(1, "a"), point(2, "b")], request: guest)
        #expect(inserted == 2)
        #expect(try await devices(fixture) == ["A", "B"])

        let refused = await #expect(throws: PointBatchFailure.self) {
            _ = try await fixture.records.createPoints(
                in: "readings", points: [point(3, "c"), point(4, "bad")], request: guest)
        }
        #expect(refused?.index == 1)
        #expect(try await devices(fixture) == ["A", "B"])
    }

    @Test func aHookForEveryCollectionWithNothingToDoHereIsLeftOut() async throws {
        let fixture = try await fixture()
        defer { fixture.remove() }
        let calls = Mutex(0)
        fixture.records.hooks.onRecordWrite(.create, interested: { collection, _ in collection.name == "elsewhere" }) { _ in
            calls.withLock { $0 += 1 }
        }
        let readings = try #require(fixture.registry.snapshot.collection("readings"))
        #expect(!fixture.records.hooks.hasWriteHooks(for: readings, .create))
        var elsewhere = readings
        elsewhere.name = "elsewhere"
        #expect(fixture.records.hooks.hasWriteHooks(for: elsewhere, .create))
        #expect(try await fixture.records.createPoints(in: "readings", points: [point(1, "a")], request: guest) == 1)
        #expect(calls.withLock { $0 } == 0)
        #expect(try await devices(fixture) == ["a"])
    }
}
