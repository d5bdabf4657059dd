public import Foundation

/// PocketBase's datetime wire format: `YYYY-MM-DD HH:MM:SS.sssZ` (UTC, millisecond precision).
/// Stored as TEXT in this format, so string comparison orders dates.
public enum DateTime {
    private static let utc = TimeZone(identifier: "UTC")!

    /// Formats a date as `2026-11-22 23:23:12.403Z`.
    public static func format(_ date: Date) -> String {
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

    /// Normalizes any accepted input to the canonical text, or nil if it is not a date.
    public static func normalize(_ text: String) -> String? {
        parse(text).map(format)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
