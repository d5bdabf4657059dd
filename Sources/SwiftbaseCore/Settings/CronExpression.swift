/// Checks five-field cron expressions (`minute hour day-of-month month day-of-week`) and the macros
/// `@yearly @annually @monthly @weekly @daily @midnight @hourly`. Each field is `*`, a number in range, a
/// range `a-b`, any of those with a step `/n`, or a comma-separated list of them.
enum CronExpression {
    static let macros: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
    static let ranges: [ClosedRange<Int>] = [0...59, 0...23, 1...31, 1...12, 0...6]

    static func isValid(_ expression: String) -> Bool {
        if macros.contains(expression) { return true }
        let fields = expression.split(separator: " ")
        guard fields.count == 5 else { return false }
        return zip(fields, ranges).allSatisfy { field, range in
            field.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { isValidPart($0, range) }
        }
    }

    private static func isValidPart(_ part: Substring, _ range: ClosedRange<Int>) -> Bool {
        let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return false }
        if pieces.count == 2 {
            guard let step = Int(pieces[1]), step >= 1, step <= range.upperBound else { return false }
        }
        let base = pieces[0]
        if base == "*" { return true }
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count) else { return false }
        let numbers = bounds.compactMap { Int($0) }
        guard numbers.count == bounds.count, numbers.allSatisfy(range.contains) else { return false }
        return numbers.count == 1 || numbers[0] <= numbers[1]
    }
}
