import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseTesting
import Testing

/// `RecordService.aggregate` on a real SQLite store: figures equal those computed from the records a list
/// selects — the list rule and a filter through a multi relation (a join that repeats rows) included — and
/// fields that may not be aggregated are refused before anything runs.
@Suite("Record aggregates", .timeLimit(.minutes(1)))
struct RecordAggregateTests {
    static let system = RequestInfo(auth: .system, method: "POST")
    static let guest = RequestInfo(auth: AuthContext(.guest))

    /// `tags` a, b, c; 60 `items` with seeded amounts, groups and one to three tags each; guests list only the
    /// `shown` ones.
    struct Setup {
        let fixture: StoreFixture
        let items: [RecordModel]
        let tags: [String: String]

        init() async throws {
            fixture = try await StoreFixture("aggregates")
            let tagCollection = try await fixture.collections.create([
                "name": "tags", "listRule": "", "viewRule": "", "fields": [["name": "name", "type": "text"]],
            ])
            var tags: [String: String] = [:]
            for name in ["a", "b", "c"] {
                tags[name] = try await fixture.records.create(
                    in: "tags", input: RecordInput(["name": .string(name)]), request: RecordAggregateTests.system
                ).id
            }
            self.tags = tags
            _ = try await fixture.collections.create([
                "name": "items", "listRule": "shown = true", "viewRule": "",
                "fields": [
                    ["name": "amount", "type": "number"],
                    ["name": "grp", "type": "text"],
                    ["name": "shown", "type": "bool"],
                    ["name": "secret", "type": "number", "hidden": true],
                    ["name": "tags", "type": "relation", "collectionId": .string(tagCollection.id), "maxSelect": 3],
                ],
            ])
            var generator = SeededRandom(seed: 6)
            var items: [RecordModel] = []
            let names = ["a", "b", "c"]
            for i in 0..<60 {
                let count = Int.random(in: 1...3, using: &generator)
                let chosen = names.shuffled(using: &generator).prefix(count).compactMap { tags[$0] }
                items.append(
                    try await fixture.records.create(
                        in: "items",
                        input: RecordInput([
                            "amount": .number(Double(Int.random(in: -500...5_000, using: &generator)) / 4),
                            "grp": .string(["x", "y", "z", "w"][i % 4]), "shown": .bool(i % 3 != 0),
                            "secret": .number(Double(i)), "tags": .array(chosen.map { .string($0) }),
                        ]),
                        request: RecordAggregateTests.system))
            }
            self.items = items
        }
    }

    @Test func figuresEqualThoseOfTheListedRecordsThroughAJoin() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let records = setup.fixture.records
        let options = RecordListOptions(filter: "tags.name ?= 'a' || tags.name ?= 'b'")
        let aggregation = RecordAggregation(terms: [
            .init(.count), .init(.sum, "amount"), .init(.avg, "amount"), .init(.min, "amount"), .init(.max, "amount"),
            .init(.countDistinct, "grp"),
        ])
        for request in [Self.system, Self.guest] {
            var listing = options
            listing.perPage = 500
            let listed = try await records.list(in: "items", options: listing, request: request).items
            let amounts = listed.compactMap { $0.values["amount"]?.doubleValue }
            #expect(amounts.count == listed.count && !listed.isEmpty)
            let groups = try await records.aggregate(in: "items", aggregation, options: options, request: request)
            let values = try #require(groups.first?.values)
            #expect(values[0] == .number(Double(listed.count)))  // each record once, however many tags match
            #expect(abs((values[1].doubleValue ?? .nan) - amounts.reduce(0, +)) < 1e-9)
            #expect(abs((values[2].doubleValue ?? .nan) - amounts.reduce(0, +) / Double(amounts.count)) < 1e-9)
            #expect(values[3] == .number(amounts.min() ?? .nan) && values[4] == .number(amounts.max() ?? .nan))
            #expect(values[5] == .number(Double(Set(listed.compactMap { $0.values["grp"]?.stringValue }).count)))
        }
    }

    @Test func groupsAreInKeyOrderAndLimited() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let groups = try await setup.fixture.records.aggregate(
            in: "items", RecordAggregation(terms: [.init(.count), .init(.sum, "amount")], groupBy: ["grp"], groupLimit: 3),
            options: RecordListOptions(), request: Self.guest)
        let shown = setup.items.filter { $0.values["shown"] == .bool(true) }
        #expect(groups.map(\.keys) == [[.string("w")], [.string("x")], [.string("y")]])
        for group in groups {
            let rows = shown.filter { [$0.values["grp"] ?? .null] == group.keys }
            #expect(group.values[0] == .number(Double(rows.count)))
            let sum = rows.compactMap { $0.values["amount"]?.doubleValue }.reduce(0, +)
            #expect(abs((group.values[1].doubleValue ?? .nan) - sum) < 1e-9)
        }
    }

    @Test func fieldsThatMayNotBeAggregatedAreRefused() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let records = setup.fixture.records
        let refused: [(RecordAggregation, RequestInfo)] = [
            (RecordAggregation(terms: [.init(.sum, "secret")]), Self.guest),  // hidden
            (RecordAggregation(terms: [.init(.sum, "grp")]), Self.system),  // not a number
            (RecordAggregation(terms: [.init(.count)], groupBy: ["tags"]), Self.system),  // multiple values
            (RecordAggregation(terms: [.init(.max, "nope")]), Self.system),  // unknown
            (RecordAggregation(terms: [.init(.sum)]), Self.system),  // no field
        ]
        for (aggregation, request) in refused {
            await #expect(throws: SwiftbaseError.self) {
                _ = try await records.aggregate(in: "items", aggregation, options: RecordListOptions(), request: request)
            }
        }
        let superuserSum = try await records.aggregate(
            in: "items", RecordAggregation(terms: [.init(.sum, "secret")]), options: RecordListOptions(),
            request: Self.system)
        #expect(superuserSum.first?.values == [.number(Double((0..<60).reduce(0, +)))])
    }
}
