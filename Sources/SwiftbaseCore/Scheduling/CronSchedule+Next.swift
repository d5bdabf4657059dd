public import Foundation

extension CronSchedule {
    /// The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks): a schedule
    /// with no match in that span never matches (e.g. `0 0 30 2 *`).
    static let searchSpanDays = 146_097 + 366

    /// Whether the schedule fires in the minute that contains `date` (UTC).
    public func matches(_ date: Date) -> Bool {
        guard let minute = Self.minuteNumber(date) else { return false }
        let day = UTCCalendar.floorDivide(minute, 1440)
        let minuteOfDay = minute - day * 1440
        return matches(day: day) && allows(minuteOfDay / 60, in: .hour) && allows(minuteOfDay % 60, in: .minute)
    }

    /// The first whole minute strictly after `date` at which the schedule fires, or nil when it never does.
    public func next(after date: Date) -> Date? {
        guard let current = Self.minuteNumber(date) else { return nil }
        let start = current + 1
        var day = UTCCalendar.floorDivide(start, 1440)
        var fromMinute = start - day * 1440
        let lastDay = day + Self.searchSpanDays
        while day <= lastDay {
            let date = UTCCalendar.date(ofDay: day)
            if !allows(date.month, in: .month) {
                // Jump to the first day of the next month.
                let (year, month) = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
                day = UTCCalendar.dayNumber(year: year, month: month, day: 1)
                fromMinute = 0
                continue
            }
            if matches(day: day), let minuteOfDay = firstTime(from: fromMinute) {
                return Date(timeIntervalSince1970: Double(day * 1440 + minuteOfDay) * 60)
            }
            day += 1
            fromMinute = 0
        }
        return nil
    }

    private func matches(day: Int) -> Bool {
        let date = UTCCalendar.date(ofDay: day)
        return allows(date.month, in: .month) && allows(date.day, in: .dayOfMonth)
            && allows(UTCCalendar.weekday(ofDay: day), in: .dayOfWeek)
    }

    /// The first allowed minute of the day at or after `minuteOfDay`.
    private func firstTime(from minuteOfDay: Int) -> Int? {
        let startHour = minuteOfDay / 60
        for hour in startHour...23 where allows(hour, in: .hour) {
            let firstMinute = hour == startHour ? minuteOfDay % 60 : 0
            for minute in firstMinute...59 where allows(minute, in: .minute) {
                return hour * 60 + minute
            }
        }
        return nil
    }

    /// Whole minutes since 1970-01-01 00:00 UTC (rounded down); nil for dates too far out to schedule.
    static func minuteNumber(_ date: Date) -> Int? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e13 else { return nil }
        return Int((seconds / 60).rounded(.down))
    }
}
