public import Foundation

/// PocketBase's datetime wire format: `YYYY-MM-DD HH:MM:SS.sssZ` (UTC, millisecond precision).
/// Stored as TEXT in this format, so string comparison orders dates.
public enum DateTime {
    private static let utc = TimeZone(identifier: "UTC")!

    /// Formats a date as `2026-11-22 23:23:12.403Z`.
    public static func format(_ date: Date) -> String {
        if let fast = formatByArithmetic(date) { return fast }
        return formatByCalendar(date)
    }

    /// The years 1970 to 2199 by integer arithmetic on the unix time (the proleptic Gregorian calendar in UTC,
    /// as `Calendar` reckons it): every write stamps `created`/`updated`, and `Calendar` takes microseconds.
    /// (Up to there a `Double` holds the time to the microsecond exactly enough to round.)
    static func formatByArithmetic(_ date: Date) -> String? {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 7_258_118_400 else { return nil }
        // Rounded to the microsecond first, so a time parsed from `.123` does not print as `.122`.
        let micros = Int64((seconds * 1_000_000).rounded())
        let millis = micros / 1000
        let (days, msOfDay) = (millis / 86_400_000, millis % 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, at index: Int, width: Int) {
            var v = value
            for i in stride(from: index + width - 1, through: index, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, at: 0, width: 4)
        put(month, at: 5, width: 2)
        put(day, at: 8, width: 2)
        put(msOfDay / 3_600_000, at: 11, width: 2)
        put(msOfDay / 60_000 % 60, at: 14, width: 2)
        put(msOfDay / 1000 % 60, at: 17, width: 2)
        put(msOfDay % 1000, at: 20, width: 3)
        for (index, byte) in [(4, "-"), (7, "-"), (10, " "), (13, ":"), (16, ":"), (19, "."), (23, "Z")] {
            out[index] = UInt8(ascii: Unicode.Scalar(byte)!)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Days since 1970-01-01 → (year, month, day), and back (Howard Hinnant's civil-calendar algorithms).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func formatByCalendar(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let ms = min(999, (c.nanosecond ?? 0) / 1_000_000)
        return pad(c.year ?? 0, 4) + "-" + pad(c.month ?? 0, 2) + "-" + pad(c.day ?? 0, 2) + " "
            + pad(c.hour ?? 0, 2) + ":" + pad(c.minute ?? 0, 2) + ":" + pad(c.second ?? 0, 2) + "."
            + pad(ms, 3) + "Z"
    }

    public static func now() -> String { format(Date()) }

    /// Parses the canonical format, RFC 3339 (`T` separator, optional fraction and offset), a date-only
    /// `YYYY-MM-DD`, or unix seconds. Returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        if let canonical = parseCanonical(text) { return canonical }
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        if let seconds = Double(s), s.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) {
            return Date(timeIntervalSince1970: seconds)
        }
        let chars = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= chars.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = chars[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = num(0, 4), chars.count >= 10, chars[4] == 45, let month = num(5, 2), chars[7] == 45,
            let day = num(8, 2)
        else { return nil }
        var comps = DateComponents(
            calendar: Calendar(identifier: .gregorian), timeZone: utc, year: year, month: month, day: day)
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var offsetSeconds = 0
        if chars.count > 10 {
            guard chars[10] == 32 || chars[10] == 84 || chars[10] == 116,  // ' ', 'T', 't'
                let hour = num(11, 2), chars.count >= 16, chars[13] == 58, let minute = num(14, 2)
            else { return nil }
            comps.hour = hour
            comps.minute = minute
            var i = 16
            if i < chars.count, chars[i] == 58 {
                guard let second = num(17, 2) else { return nil }
                comps.second = second
                i = 19
            }
            if i < chars.count, chars[i] == 46 {  // fraction
                i += 1
                var digits = 0
                var nanos = 0
                while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                    if digits < 9 {
                        nanos = nanos * 10 + Int(chars[i] - 48)
                        digits += 1
                    }
                    i += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<9 { nanos *= 10 }
                comps.nanosecond = nanos
            }
            if i < chars.count {
                let c = chars[i]
                if c == 90 || c == 122 {  // Z
                    i += 1
                } else if c == 43 || c == 45 {  // + or -
                    guard let oh = num(i + 1, 2) else { return nil }
                    var j = i + 3
                    if j < chars.count, chars[j] == 58 { j += 1 }
                    guard let om = num(j, 2) else { return nil }
                    offsetSeconds = (oh * 3600 + om * 60) * (c == 43 ? 1 : -1)
                    i = j + 2
                } else if c == 32 {
                    // "2024-01-02 03:04:05 +0000 UTC" style is not accepted; fall through to failure.
                    return nil
                }
            }
            guard i == chars.count else { return nil }
        }
        guard let date = comps.date else { return nil }
        return date.addingTimeInterval(TimeInterval(-offsetSeconds))
    }

    /// `YYYY-MM-DD HH:MM:SS.sssZ` exactly, read by arithmetic (what the store holds, so what is read most).
    static func parseCanonical(_ text: String) -> Date? {
        var text = text
        guard let ms = text.withUTF8({ canonicalMilliseconds($0) }) else { return nil }
        let (seconds, millis) = ms.quotientAndRemainder(dividingBy: 1000)
        return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
    }

    /// The epoch milliseconds of canonical date text (`2024-01-02 03:04:05.678Z`, year 1970 or later, a real
    /// calendar day), read straight from its bytes; nil for any other text.
    package static func canonicalMilliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 24, bytes[4] == 45, bytes[7] == 45, bytes[10] == 32, bytes[13] == 58, bytes[16] == 58,
            bytes[19] == 46, bytes[23] == 90
        else { return nil }
        func number(_ from: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for i in from..<(from + width) {
                let c = bytes[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), let millis = number(20, 3), year >= 1970,
            (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays: Int64 =
            switch month {
            case 2: leap ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        guard day <= monthDays else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        return seconds * 1000 + millis
    }

    public static func normalize(_ text: String) -> String? {
        parse(text).map(format)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
