@testable import SwiftbaseCore
import Testing

/// The lean cast of points must give exactly what the record path gives (input applied by `RecordInputApplier`,
/// generated values filled, every field validated): the same stored values, the same times, the same errors.
/// The judge is the record path itself, reached by adding a key that names no field (such a body is kept whole).
@Suite struct PointCasterTests {
    private static let collection = CollectionModel(
        id: "ts1", name: "readings", type: .timeseries,
        fields: [
            SystemCollections.idField(),
            FieldModel(name: "time", options: .date(DateFieldOptions())),
            FieldModel(name: "device", options: .text(TextFieldOptions(max: 8))),
            FieldModel(name: "site", options: .select(SelectFieldOptions(values: ["north", "south", "[x]"], maxSelect: 1))),
            FieldModel(name: "temp", options: .number(NumberFieldOptions(min: -50, max: 150))),
            FieldModel(name: "hum", required: true, options: .number(NumberFieldOptions(onlyInt: true))),
            FieldModel(name: "secret", hidden: true, options: .text(TextFieldOptions())),
        ])

    private static let values: [JSONValue?] = [
        nil, .null, .bool(true), .bool(false), .number(0), .number(21.5), .number(-0.0), .number(1e300), .number(42),
        .string(""), .string("12.5"), .string("NaN"), .string("inf"), .string("-Infinity"), .string("north"),
        .string("south"), .string("west"), .string("[\"south\"]"), .string("[x]"), .string("0x10"),
        .string("2025-12-06 10:11:12.345Z"), .string("2025-12-06T10:11:12Z"), .string("2025-12-06"),
        .string("2025-02-30 00:00:00.000Z"), .string("1969-12-31 23:59:59.999Z"), .string("2300-01-01 00:00:00.000Z"),
        .string("1733000000"), .string("a much too long device name"), .string("dé"),
        .array([.string("north")]), .array([]), .object(["a": .number(1)]),
    ]

    private struct Outcome: Equatable {
        var errors: ErrorData?
        var row: [SQLValue]
        var time: Int64
    }

    private func outcome(_ body: [String: JSONValue], auth: AuthContext) -> Outcome {
        let layout = TimeSeriesLayout(Self.collection)!
        var caster = PointCaster(Self.collection, layout: layout, auth: auth)!
        let parsed = ParsedPoints(fieldNames: Self.collection.fields.map(\.name), bodies: [body])
        do {
            let columns = try caster.cast(parsed, failure: "x")
            // Generated ids are random: compare their shape, not their letters.
            var row = (0..<columns.fieldNames.count).map { columns.sqlValue(field: $0, row: 0) }
            let sentID = body["id"].map { if case .string(let s) = $0 { s } else { GoCast.string($0) } } ?? ""
            if case .text(let id) = row[0], id.count == 15, sentID.isEmpty { row[0] = .text("<generated>") }
            return Outcome(errors: nil, row: row, time: columns.times[0])
        } catch {
            return Outcome(errors: error.error.data, row: [], time: 0)
        }
    }

    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [AuthContext.guest, AuthContext(.superuser(RecordModel(collectionId: "s", collectionName: "_superusers", values: ["id": "su"])))])
    func leanCastEqualsTheRecordPath(auth: AuthContext) {
        var rng = SplitMix(state: 19)
        let names = Self.collection.fields.map(\.name)
        for _ in 0..<3_000 {
            var body: [String: JSONValue] = [:]
            for name in names where name != "id" || Int.random(in: 0..<8, using: &rng) == 0 {
                if let value = Self.values.randomElement(using: &rng)! { body[name] = value }
            }
            if Int.random(in: 0..<3, using: &rng) > 0 { body["time"] = .string("2025-12-06 00:00:0\(Int.random(in: 0..<10, using: &rng)).000Z") }
            var whole = body
            whole["not a field"] = .bool(true)
            #expect(outcome(body, auth: auth) == outcome(whole, auth: auth), "\(body)")
        }
    }

    @Test func plainPointsAreStoredAsSent() {
        let outcome = outcome(
            ["time": .string("2025-12-06 10:11:12.345Z"), "device": .string("d1"), "site": .string("north"),
             "temp": .number(21.5), "hum": .number(40)], auth: .guest)
        #expect(outcome.errors == nil)
        #expect(outcome.row == [.text("<generated>"), .text("2025-12-06 10:11:12.345Z"), .text("d1"), .text("north"),
                                .real(21.5), .integer(40), .text("")])
        #expect(outcome.time == 1_765_015_872_345)
    }

    @Test func errorsNameEveryBadField() {
        let outcome = outcome(["site": .string("west"), "temp": .string("NaN"), "device": .string("far too long")], auth: .guest)
        guard case .fields(let errors)? = outcome.errors else {
            Issue.record("no field errors")
            return
        }
        #expect(Set(errors.keys) == ["time", "site", "temp", "device", "hum"])
        #expect(errors["time"] == .item(.required))
        #expect(errors["hum"] == .item(.required))
    }

    @Test func generatedIdsAreDistinct() throws {
        let layout = TimeSeriesLayout(Self.collection)!
        var caster = PointCaster(Self.collection, layout: layout, auth: .guest)!
        let body: [String: JSONValue] = ["time": .string("2025-12-06 10:11:12.345Z"), "hum": .number(1)]
        let parsed = ParsedPoints(fieldNames: Self.collection.fields.map(\.name), bodies: Array(repeating: body, count: 20_000))
        let columns = try caster.cast(parsed, failure: "x")
        let ids = columns.texts[0]
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 15 && $0.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) } })
    }
}
