import Foundation
import SwiftbaseTesting
import Testing

@testable import SwiftbaseCore

/// `next(after:)`: known dates, then a property test against a brute-force search over random expressions
/// and dates (seeded, so a failure repeats).
@Suite("Cron schedule next time")
struct CronScheduleNextTests {
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)!
    }

    @Test(arguments: [
        ("30 12 * * *", "2026-03-10T12:29:59.500Z", "2026-03-10T12:30:00Z"),
        ("30 12 * * *", "2026-03-10T12:30:00Z", "2026-03-11T12:30:00Z"),  // strictly after
        ("30 12 * * *", "2026-03-10T12:30:59Z", "2026-03-11T12:30:00Z"),
        ("* * * * *", "1969-12-31T23:59:30Z", "1970-01-01T00:00:00Z"),
        ("0 0 1 1 *", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"),
        ("0 0 29 2 *", "2025-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"),  // 2100 is no leap year
        // Day of month AND day of week, as PocketBase: Friday the 13th, not "the 13th or any Friday".
        ("0 0 13 * 5", "2026-01-01T00:00:00Z", "2026-02-13T00:00:00Z"),
        ("0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"),
        ("*/20 9-10 * * 1-5", "2026-12-04T10:50:00Z", "2026-12-07T09:00:00Z"),  // Friday evening → Monday
        ("@weekly", "2026-12-06T00:00:00Z", "2026-12-13T00:00:00Z"),
    ])
    func knownNextTimes(expression: String, after: String, expected: String) throws {
        let schedule = try CronSchedule(parsing: expression)
        let next = schedule.next(after: Self.utc(after))
        #expect(next == Self.utc(expected))
        if let next { #expect(schedule.matches(next)) }
    }

    @Test(arguments: ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"])
    func scheduleThatNeverFiresHasNoNextTime(expression: String) throws {
        #expect(try CronSchedule(parsing: expression).next(after: Self.utc("2026-01-01T00:00:00Z")) == nil)
    }

    @Test func farDatesHaveNoNextTime() {
        #expect(CronSchedule.everyMinute.next(after: .distantFuture.addingTimeInterval(1e15)) == nil)
        #expect(CronSchedule.everyMinute.next(after: Date(timeIntervalSince1970: .nan)) == nil)
    }

    // MARK: - Property test

    /// A random field: its text and the values it stands for, computed here independently of the parser.
    static func randomField(_ field: CronField, _ random: inout SeededRandom) -> (String, Set<Int>) {
        let range = field.range
        var texts: [String] = []
        var values: Set<Int> = []
        let parts = random.chance(25) ? random.int(2..<4) : 1
        for _ in 0..<parts {
            let a = random.int(range.lowerBound..<(range.upperBound + 1))
            let b = random.int(a..<(range.upperBound + 1))
            let step = random.int(1..<(range.upperBound + 1))
            switch random.int(0..<100) {
            case 0..<40:
                texts.append("*")
                values.formUnion(range)
            case 40..<55:
                texts.append("\(a)")
                values.insert(a)
            case 55..<70:
                texts.append("\(a)-\(b)")
                values.formUnion(a...b)
            case 70..<85:
                let small = random.int(1..<min(8, range.upperBound + 1))
                texts.append("*/\(small)")
                values.formUnion(stride(from: range.lowerBound, through: range.upperBound, by: small))
            default:
                texts.append("\(a)-\(b)/\(step)")
                values.formUnion(stride(from: a, through: b, by: step))
            }
        }
        return (texts.joined(separator: ","), values)
    }

    /// The first matching minute after `date` within `days` days, found by walking the days with Foundation's
    /// calendar and then every hour and minute of a matching day.
    static func bruteForceNext(after date: Date, sets: [Set<Int>], days: Int) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let startOfDay = calendar.startOfDay(for: date)
        for offset in 0...days {
            let day = startOfDay.addingTimeInterval(Double(offset) * 86_400)
            let parts = calendar.dateComponents([.month, .day, .weekday], from: day)
            guard sets[3].contains(parts.month!), sets[2].contains(parts.day!), sets[4].contains(parts.weekday! - 1)
            else { continue }
            for hour in sets[1].sorted() {
                for minute in sets[0].sorted() {
                    let candidate = day.addingTimeInterval(Double(hour * 3600 + minute * 60))
                    if candidate > date { return candidate }
                }
            }
        }
        return nil
    }

    @Test(.timeLimit(.minutes(1)))
    func nextMatchesBruteForceOverRandomExpressionsAndDates() throws {
        var random = SeededRandom(seed: 0xC0FFEE)
        let horizonDays = 800
        for _ in 0..<400 {
            let fields = CronField.allCases.map { Self.randomField($0, &random) }
            let expression = fields.map(\.0).joined(separator: " ")
            let sets = fields.map(\.1)
            let schedule = try CronSchedule(parsing: expression)
            for field in CronField.allCases {
                #expect(Set(schedule.values(of: field)) == sets[field.rawValue], "\(expression) \(field)")
            }
            // Any second from 1950 to 2150; a third of them on a whole minute, to test "strictly after".
            var seconds = Double(random.int(-631_152_000..<5_679_360_000))
            if random.chance(33) { seconds = (seconds / 60).rounded(.down) * 60 } else { seconds += 0.25 }
            let after = Date(timeIntervalSince1970: seconds)
            let expected = Self.bruteForceNext(after: after, sets: sets, days: horizonDays)
            let next = schedule.next(after: after)
            if let expected {
                #expect(next == expected, "\(expression) after \(after)")
            } else if let next {
                #expect(next > after.addingTimeInterval(Double(horizonDays) * 86_400), "\(expression) after \(after)")
            }
            if let next {
                #expect(schedule.matches(next))
                #expect(!schedule.matches(next.addingTimeInterval(-60)) || next.addingTimeInterval(-60) <= after)
            }
        }
    }

    /// `matches` agrees with the sets minute by minute over a stretch around a month's end.
    @Test func matchesAgreesWithNext() throws {
        let schedule = try CronSchedule(parsing: "*/7 22-23,0-1 28-31,1 * *")
        var date = Self.utc("2026-02-27T21:00:00Z")
        var expected = schedule.next(after: date.addingTimeInterval(-1))
        var matched = 0
        for _ in 0..<(60 * 24 * 4) {
            let isNext = date == expected
            #expect(schedule.matches(date) == isNext, "\(date)")
            if isNext {
                matched += 1
                expected = schedule.next(after: date)
            }
            date.addTimeInterval(60)
        }
        #expect(matched > 0)
    }
}
