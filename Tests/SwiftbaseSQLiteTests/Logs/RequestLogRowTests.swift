import Foundation
import SwiftbaseCore
import Testing

/// A request's stored `data` is written straight from its facts; it must be the very text the same object
/// built as a `JSONValue` encodes to (keys in byte order, Go's escapes and numbers), whatever the settings.
struct RequestLogRowTests {
    /// The entry's data as PocketBase's logger builds it, as an object: the reference the writer must match.
    static func reference(_ facts: RequestLogFacts, _ settings: LogSettings) -> JSONValue {
        var data: [String: JSONValue] = [
            "type": "request", "url": .string(RequestLogFacts.cut(facts.uri, 3000)),
            "method": .string(RequestLogFacts.cut(facts.method.uppercased(), 50)),
            "status": .number(Double(facts.status)), "execTime": .number(facts.execTimeMilliseconds),
            "referer": .string(RequestLogFacts.cut(facts.referer, 2000)),
            "userAgent": .string(RequestLogFacts.cut(facts.userAgent, 2000)),
            "auth": .string(facts.authCollection ?? ""),
        ]
        if let failure = facts.failure {
            data["error"] = .string(failure.message)
            data["details"] = failure.details
        }
        if settings.logAuthId, facts.authCollection != nil, let authId = facts.authId { data["authId"] = .string(authId) }
        if settings.logIP {
            data["userIP"] = .string(facts.userIP)
            data["remoteIP"] = .string(facts.remoteIP)
        }
        return .object(data)
    }

    @Test func dataIsTheObjectsJSONTextByteForByte() {
        var generator = SplitMix64(seed: 7)
        let now = Date(timeIntervalSince1970: 1_765_000_000.123)
        let texts = ["", "plain", "quote \" back \\ slash", "tab\tnew\nline\u{1}", "<a&b>", "é ü 😀", "\u{2028}x"]
        let failures: [RequestLogFacts.Failure?] = [
            nil, .init(message: "Failed to create record.", details: ["title": "Cannot be blank.", "a": ["b": "c"]]),
            .init(message: "Not found.", details: .null),
        ]
        var checked = 0
        for (index, text) in texts.enumerated() {
            for failure in failures {
                for (auth, authId) in [(nil, nil), ("users", "u1"), ("apiKey", nil)] as [(String?, String?)] {
                    for settings in [
                        LogSettings(), LogSettings(logIP: false, logAuthId: true), LogSettings(logAuthId: true),
                    ] {
                        let facts = RequestLogFacts(
                            method: ["get", "POST", "patch"][index % 3], uri: "/api/x?q=" + text,
                            status: [200, 404, 500][index % 3],
                            execTimeNanoseconds: [1_500_000, 2_000_000, 123, 12_345_678_901][index % 4],
                            authCollection: auth, authId: authId, userIP: "10.0.0.\(index)", remoteIP: "::1",
                            referer: text, userAgent: String(repeating: text, count: 400), failure: failure)
                        let row = facts.row(settings: settings, answeredAt: now, using: &generator)
                        #expect(row.data == Self.reference(facts, settings).jsonString)
                        #expect(row.level == (failure == nil ? 0 : 8))
                        #expect(row.created == "2025-12-06 05:46:40.123Z")
                        #expect(row.id.count == 15 && row.id.hasPrefix(Identifiers.timeOrderedID(
                            millisecondsSince1970: 1_765_000_000_123).prefix(8)))
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == texts.count * 3 * 3 * 3)
    }

    @Test func aRecordedRequestIsStoredAsItsEntry() async throws {
        let fixture = try await LogFixture("logs-row", limits: .init(interval: .seconds(60)))
        defer { fixture.remove() }
        let facts = RequestLogFacts(
            method: "get", uri: "/api/a%00b", status: 400, execTimeNanoseconds: 250_000, authCollection: "users",
            authId: "u1", userIP: "10.0.0.1", remoteIP: "10.0.0.2", referer: "", userAgent: "ua",
            failure: .init(message: "Bad.", details: ["f": "Nope."]))
        let now = Date()
        await fixture.logs.record(facts, now: now)
        #expect(await fixture.logs.writer.flush())
        let stored = try await fixture.logs.list(RecordListOptions()).items
        #expect(stored.count == 1)
        #expect(stored.first?.data == Self.reference(facts, LogSettings()))
        #expect(stored.first?.message == "GET /api/a\u{0}b")  // decoded, NUL and all
        #expect(stored.first?.created == DateTime.format(now))
        #expect(stored.first?.level == 8)
    }

    /// `execTime` from the integer nanoseconds is the text the double's own encoding gives.
    @Test func execTimeIsWrittenAsTheMillisecondsDoubleWouldBe() {
        var generator = SplitMix64(seed: 42)
        var cases: [UInt64] = [0, 1, 10, 999, 1_000, 1_000_000, 1_000_001, 123_456_789, 999_999_999_999_999,
            1_000_000_000_000_000, 9_007_199_254_740_993, UInt64.max]
        for _ in 0..<20_000 {
            let magnitude = UInt64.random(in: 0...18, using: &generator)
            var limit: UInt64 = 1
            for _ in 0..<magnitude { limit *= 10 }
            cases.append(UInt64.random(in: 0...limit, using: &generator))
        }
        for nanoseconds in cases {
            var fast: [UInt8] = []
            RequestLogFacts.writeMilliseconds(nanoseconds: nanoseconds, into: &fast)
            let reference = JSONValue.number(Double(nanoseconds) / 1_000_000).jsonString
            #expect(String(decoding: fast, as: UTF8.self) == reference, "\(nanoseconds) ns")
        }
    }

    @Test func idsOfOneBatchDifferAndSortByTime() {
        var generator = SplitMix64()
        let ids = (0..<2000).map { Identifiers.timeOrderedID(millisecondsSince1970: 1_765_000_000_000 + Int64($0 / 10), using: &generator) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.map { $0.prefix(8) } == ids.map { $0.prefix(8) }.sorted())
    }

    /// PocketBase 0.40's `maxDataSize`: over the limit, the members whose values end within the first `limit` bytes
    /// are kept, the member whose key fits but whose value does not becomes null, and `__pb_truncated__` is set.
    /// Checked at every limit against offsets taken from the reference object's own encoding.
    @Test func dataOverMaxDataSizeKeepsTheMembersThatFit() throws {
        var generator = SplitMix64(seed: 3)
        let facts = RequestLogFacts(
            method: "POST", uri: "/api/batch?x=" + String(repeating: "é", count: 40), status: 400,
            execTimeNanoseconds: 1_234_567, authCollection: "users", authId: "u1", userIP: "10.0.0.1",
            remoteIP: "::1", referer: "https://example.com/", userAgent: "ua/1",
            failure: .init(message: "Failed.", details: ["requests": ["0": ["title": "Cannot be blank."]]]))
        let settings = LogSettings(logAuthId: true)
        let reference = try #require(Self.reference(facts, settings).objectValue)
        let keys = reference.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let full = JSONValue.object(reference).jsonString
        // Where member k's value ends: the encoding of the first k members is a prefix of the whole one.
        var valueEnds: [Int] = []
        var keyEnds: [Int] = []
        for (k, key) in keys.enumerated() {
            let before = k == 0 ? 1 : valueEnds[k - 1] + 1
            keyEnds.append(before + JSONValue.string(key).jsonString.utf8.count)
            let prefix = JSONValue.object(Dictionary(uniqueKeysWithValues: keys[...k].map { ($0, reference[$0]!) }))
            valueEnds.append(prefix.jsonString.utf8.count - 1)
        }
        for limit in 1..<full.utf8.count {
            var limited = settings
            limited.maxDataSize = limit
            let row = facts.row(settings: limited, answeredAt: Date(), using: &generator)
            let data = try #require(try JSONValue.parse(row.data).objectValue, "\(limit)")
            var expected: [String: JSONValue] = ["__pb_truncated__": true]
            for (k, key) in keys.enumerated() {
                guard keyEnds[k] <= limit else { break }
                guard valueEnds[k] <= limit else {
                    expected[key] = .null
                    break
                }
                expected[key] = reference[key]
            }
            #expect(data == expected, "limit \(limit)")
            #expect(row.data == JSONValue.object(expected).jsonString, "limit \(limit): keys in byte order")
        }
        // At the limit and over it, nothing is cut.
        var roomy = settings
        roomy.maxDataSize = full.utf8.count
        #expect(facts.row(settings: roomy, answeredAt: Date(), using: &generator).data == full)
    }
}
