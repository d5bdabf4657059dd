import Foundation

/// Date macros, computed in UTC from the resolver's `now`: datetime strings in PocketBase's format
/// (`@now`, `@yesterday`, `@tomorrow`, `@todayStart`, `@todayEnd`, `@monthStart`, `@monthEnd`, `@yearStart`,
/// `@yearEnd`) or integers (`@second`, `@minute`, `@hour`, `@day`, `@month` 1–12, `@weekday` 0 = Sunday,
/// `@year`). Ends of periods are at `.999` milliseconds.
enum FilterDateMacros {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    static func value(of name: String, now: Date) -> SQLValue? {
        guard name.hasPrefix("@") else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: now)
        let (year, month, day) = (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        switch name {
        case "@now": return .text(DateTime.format(now))
        case "@yesterday": return .text(DateTime.format(calendar.date(byAdding: .day, value: -1, to: now) ?? now))
        case "@tomorrow": return .text(DateTime.format(calendar.date(byAdding: .day, value: 1, to: now) ?? now))
        case "@second": return .integer(Int64(parts.second ?? 0))
        case "@minute": return .integer(Int64(parts.minute ?? 0))
        case "@hour": return .integer(Int64(parts.hour ?? 0))
        case "@day": return .integer(Int64(day))
        case "@month": return .integer(Int64(month))
        case "@weekday": return .integer(Int64((parts.weekday ?? 1) - 1))
        case "@year": return .integer(Int64(year))
        case "@todayStart": return .text(text(year, month, day, end: false))
        case "@todayEnd": return .text(text(year, month, day, end: true))
        case "@monthStart": return .text(text(year, month, 1, end: false))
        case "@monthEnd":
            let days = calendar.range(of: .day, in: .month, for: now)?.count ?? 28
            return .text(text(year, month, days, end: true))
        case "@yearStart": return .text(text(year, 1, 1, end: false))
        case "@yearEnd": return .text(text(year, 12, 31, end: true))
        default: return nil
        }
    }

    /// `YYYY-MM-DD 00:00:00.000Z` or `YYYY-MM-DD 23:59:59.999Z`.
    private static func text(_ year: Int, _ month: Int, _ day: Int, end: Bool) -> String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + (end ? " 23:59:59.999Z" : " 00:00:00.000Z")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
