/// A date-time stored as text, as PocketBase's SQLite driver reads columns declared `DATE`, `DATETIME` or
/// `TIMESTAMP` and Go prints the result (RFC 3339 with nanoseconds): `2024-01-01 10:00:00` becomes
/// `2024-01-01T10:00:00Z`, `2024-01-02` `2024-01-02T00:00:00Z`, an offset is kept (`+02:00`). Text in none of
/// the driver's layouts — `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction][±HH:MM]]]`, a trailing `Z` dropped first — or
/// out of range stays as it is (nil here).
enum GoTimeText {
    static func rfc3339(_ text: String) -> String? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "Z") { bytes.removeLast() }
        var scanner = Scanner(bytes: bytes)
        guard let year = scanner.number(4), scanner.take("-"), let month = scanner.number(2), scanner.take("-"),
            let day = scanner.number(2), (1...12).contains(month), (1...daysIn(month, year)).contains(day)
        else { return nil }
        var (hour, minute, second, fraction, offset) = (0, 0, 0, "", 0)
        if !scanner.atEnd {
            guard scanner.take(" ") || scanner.take("T"), let h = scanner.number(2), scanner.take(":"),
                let m = scanner.number(2), h <= 23, m <= 59
            else { return nil }
            (hour, minute) = (h, m)
            if !scanner.atEnd {
                guard scanner.take(":"), let s = scanner.number(2), s <= 59 else { return nil }
                second = s
                if scanner.take(".") {
                    let digits = scanner.digits()
                    guard !digits.isEmpty else { return nil }
                    fraction = String(String(decoding: digits.prefix(9), as: UTF8.self).reversed().drop { $0 == "0" }.reversed())
                }
                if let sign = scanner.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                    scanner.index += 1
                    guard let oh = scanner.number(2), scanner.take(":"), let om = scanner.number(2), oh <= 23, om <= 59
                    else { return nil }
                    offset = (oh * 60 + om) * (sign == UInt8(ascii: "-") ? -1 : 1)
                }
                guard scanner.atEnd else { return nil }
            }
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var out = "\(String(repeating: "0", count: 4 - String(year).count))\(year)-\(two(month))-\(two(day))"
        out += "T\(two(hour)):\(two(minute)):\(two(second))"
        if !fraction.isEmpty { out += "." + fraction }
        if offset == 0 { return out + "Z" }
        return out + (offset < 0 ? "-" : "+") + two(abs(offset) / 60) + ":" + two(abs(offset) % 60)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits.
        mutating func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        mutating func digits() -> ArraySlice<UInt8> {
            let start = index
            while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return bytes[start..<index]
        }
    }
}
