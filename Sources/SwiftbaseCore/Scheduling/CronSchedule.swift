/// A parsed cron schedule in PocketBase's syntax: five fields separated by single spaces — minute (0–59),
/// hour (0–23), day of month (1–31), month (1–12), day of week (0–6, Sunday is 0) — or one of the macros
/// `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
///
/// Each field is a comma-separated list of parts; a part is `*`, a number, or a range `a-b`, optionally
/// followed by a step `/n` (a step other than 1 needs `*` or a range). As in PocketBase, every field must
/// match — day of month and day of week are combined with AND, not the OR of Vixie cron — and times are
/// read in UTC.
///
/// ```swift
/// let schedule = try CronSchedule(parsing: "*/15 9-17 * * 1-5")   // every quarter hour, office hours
/// let next = schedule.next(after: Date())
/// ```
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The five-field expression, with a macro replaced by the fields it stands for (what PocketBase lists).
    public let expression: String
    /// One bit per allowed value of each field, indexed by `CronField.rawValue`.
    let masks: [UInt64]

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses `text`; throws `CronScheduleError` naming what is wrong. No surrounding spaces are trimmed.
    public init(parsing text: String) throws(CronScheduleError) {
        let expression = Self.macros[text] ?? text
        let segments = Array(expression.utf8).split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard segments.count == CronField.allCases.count else {
            throw CronScheduleError("Invalid cron expression: use a macro or exactly 5 fields separated by single spaces.")
        }
        var masks: [UInt64] = []
        for (field, segment) in zip(CronField.allCases, segments) {
            masks.append(try Self.mask(of: segment, field: field))
        }
        self.expression = expression
        self.masks = masks
    }

    /// `* * * * *`.
    public static let everyMinute = CronSchedule(
        expression: "* * * * *", masks: CronField.allCases.map { field in
            field.range.reduce(UInt64(0)) { mask, value in mask | 1 << UInt64(value) }
        })

    init(expression: String, masks: [UInt64]) {
        self.expression = expression
        self.masks = masks
    }

    public var description: String { expression }

    /// Whether `value` is allowed in `field`.
    func allows(_ value: Int, in field: CronField) -> Bool {
        value >= 0 && value < 64 && masks[field.rawValue] & (1 << UInt64(value)) != 0
    }

    /// The allowed values of `field`, ascending.
    public func values(of field: CronField) -> [Int] {
        field.range.filter { allows($0, in: field) }
    }

    // MARK: - Parsing

    /// One field: the union of its comma-separated parts.
    static func mask(of segment: ArraySlice<UInt8>, field: CronField) throws(CronScheduleError) -> UInt64 {
        var mask: UInt64 = 0
        for part in segment.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            mask |= try partMask(part, field: field)
        }
        return mask
    }

    /// `*`, `n`, `a-b`, `*/n`, `a-b/n` (and `n/1`).
    static func partMask(_ part: ArraySlice<UInt8>, field: CronField) throws(CronScheduleError) -> UInt64 {
        let range = field.range
        let pieces = part.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard pieces.count <= 2 else {
            throw CronScheduleError("Invalid \(field.name) field: a step is written */n or a-b/n.")
        }
        var step = 1
        if pieces.count == 2 {
            guard let parsed = integer(pieces[1]), parsed >= 1, parsed <= range.upperBound else {
                throw CronScheduleError("Invalid \(field.name) step: it must be a number from 1 to \(range.upperBound).")
            }
            step = parsed
        }
        let base = pieces[0]
        var low = range.lowerBound
        var high = range.upperBound
        if !base.elementsEqual("*".utf8) {
            let bounds = base.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
            guard bounds.count <= 2 else {
                throw CronScheduleError("Invalid \(field.name) range: write it as a-b.")
            }
            guard let first = integer(bounds[0]), range.contains(first) else {
                throw CronScheduleError(
                    "Invalid \(field.name) value: it must be a number from \(range.lowerBound) to \(range.upperBound).")
            }
            low = first
            high = first
            if bounds.count == 2 {
                guard let last = integer(bounds[1]), last >= first, last <= range.upperBound else {
                    throw CronScheduleError(
                        "Invalid \(field.name) range: its end must be from \(first) to \(range.upperBound).")
                }
                high = last
            } else if step != 1 {
                throw CronScheduleError("Invalid \(field.name) field: a step needs * or a range before it.")
            }
        }
        var mask: UInt64 = 0
        for value in stride(from: low, through: high, by: step) { mask |= 1 << UInt64(value) }
        return mask
    }

    /// A decimal integer as Go's `strconv.Atoi` reads one: an optional sign, then ASCII digits; nil when
    /// empty, malformed or out of range.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}

/// The five fields of a cron expression, in order.
public enum CronField: Int, CaseIterable, Sendable {
    case minute, hour, dayOfMonth, month, dayOfWeek

    /// The values the field may take.
    public var range: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...6
        }
    }

    var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }
}

/// Why a cron expression was refused; `description` says what to write instead.
public struct CronScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
