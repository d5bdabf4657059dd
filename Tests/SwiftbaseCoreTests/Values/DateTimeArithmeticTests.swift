import Foundation
@testable import SwiftbaseCore
import SwiftbaseTesting
import Testing

/// The arithmetic fast paths of `DateTime` agree with `Calendar` on every date they take, and round-trip.
@Suite("DateTime arithmetic")
struct DateTimeArithmeticTests {
    @Test func formatAgreesWithTheCalendarAndParseRoundTrips() throws {
        var random = SeededRandom(seed: 0x5EED_DA7E)
        var millis: [Int64] = [0, 951_782_400_000, 4_107_542_399_999, 7_258_118_399_999]  // 2000-02-29, …
        for _ in 0..<20_000 { millis.append(Int64.random(in: 0..<7_258_118_400_000, using: &random)) }
        for ms in millis {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            // The calendar names the whole second (it truncates fractions that a Double holds as .x99999…).
            let second = DateTime.formatByCalendar(Date(timeIntervalSince1970: Double(ms / 1000)))
            let expected = second.dropLast(4) + String(format: "%03dZ", Int(ms % 1000))
            let fast = try #require(DateTime.formatByArithmetic(date))
            #expect(fast == expected, "\(ms)")
            let parsed = try #require(DateTime.parseCanonical(fast))
            #expect(DateTime.format(parsed) == fast)
            #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_5)
        }
        #expect(DateTime.formatByArithmetic(Date(timeIntervalSince1970: -1)) == nil)
        #expect(DateTime.format(Date(timeIntervalSince1970: 7_258_118_400)) == "2200-01-01 00:00:00.000Z")  // the calendar's
        for invalid in ["2023-02-29 00:00:00.000Z", "2024-13-01 00:00:00.000Z", "2024-01-01 24:00:00.000Z", "2024-01-01T00:00:00.000Z"] {
            #expect(DateTime.parseCanonical(invalid) == nil, "\(invalid)")
        }
        #expect(DateTime.parse("2024-02-29 12:34:56.789Z") == DateTime.parse("2024-02-29T12:34:56.789Z"))
    }
}
