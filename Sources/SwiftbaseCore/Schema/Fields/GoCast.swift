/// The value casts PocketBase applies to raw field input (Go's `spf13/cast` and PocketBase's `list`
/// helpers), reproduced on `JSONValue` so every field type casts exactly as PocketBase does.
enum GoCast {
    /// `cast.ToString`: strings as they are, numbers without exponent (`5`, `0.5`, `1000000000000000000000`),
    /// booleans as `true`/`false`, null as `""`; arrays and objects cannot be cast and give `""`.
    static func string(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let d): GoNumberFormat.plain(d)
        case .bool(let b): b ? "true" : "false"
        case .null, .array, .object: ""
        }
    }

    /// `cast.ToFloat64`: numbers as they are, booleans as 1/0, text parsed as Go's `strconv.ParseFloat`
    /// (anything unparsable, including out-of-range values, gives 0); null, arrays and objects give 0.
    static func double(_ value: JSONValue) -> Double {
        switch value {
        case .number(let d): d
        case .bool(let b): b ? 1 : 0
        case .string(let s): GoNumberFormat.parseFloat(s) ?? 0
        case .null, .array, .object: 0
        }
    }

    /// `cast.ToBool`: booleans as they are, non-zero numbers are true, text as Go's `strconv.ParseBool`
    /// (`1 t T TRUE true True` / `0 f F FALSE false False`, anything else false).
    static func bool(_ value: JSONValue) -> Bool {
        switch value {
        case .bool(let b): b
        case .number(let d): d != 0
        case .string(let s):
            switch s {
            case "1", "t", "T", "TRUE", "true", "True": true
            default: false
            }
        case .null, .array, .object: false
        }
    }

    /// `list.ToUniqueStringSlice`: the non-empty, de-duplicated strings of a value, first occurrence kept.
    ///
    /// A string is one element unless it contains `[` and parses as a JSON array of strings; an array casts
    /// each element with `string(_:)` (and yields nothing if any element is an array or object, as
    /// `cast.ToStringSlice` fails as a whole); a number or boolean is one element; null and objects nothing.
    static func uniqueStrings(_ value: JSONValue) -> [String] {
        switch value {
        case .null, .object:
            return []
        case .string(let s):
            if s.isEmpty { return [] }
            // Text holding a JSON array of strings is that array; any other text (even failed JSON) is one value.
            if s.utf8.contains(UInt8(ascii: "[")), let parsed = try? JSONValue.parse(s) {
                if case .null = parsed { return [] }
                if case .array(let items) = parsed, let strings = stringElements(items) {
                    return nonzeroUniques(strings)
                }
            }
            return [s]
        case .number, .bool:
            return nonzeroUniques([string(value)])
        case .array(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .array, .object: return []
                default: out.append(string(item))
                }
            }
            return nonzeroUniques(out)
        }
    }

    /// The elements of a JSON array decoded as Go's `[]string` (null elements become ""), or nil if any
    /// element is not a string.
    private static func stringElements(_ items: [JSONValue]) -> [String]? {
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .string(let s): out.append(s)
            case .null: out.append("")
            default: return nil
            }
        }
        return out
    }

    /// Drops empty strings and repeats, keeping the first occurrence of each.
    static func nonzeroUniques(_ list: [String]) -> [String] {
        if list.count < 2 { return list.first.map { $0.isEmpty ? [] : [$0] } ?? [] }
        var seen = Set<String>(minimumCapacity: list.count)
        var out: [String] = []
        out.reserveCapacity(list.count)
        for s in list where !s.isEmpty && seen.insert(s).inserted {
            out.append(s)
        }
        return out
    }

    /// `list.SubtractSlice`: `base` without any element of `subtract`, order kept.
    static func subtracting(_ subtract: [String], from base: [String]) -> [String] {
        if subtract.isEmpty { return base }
        let remove = Set(subtract)
        return base.filter { !remove.contains($0) }
    }

    /// The number of Unicode scalars, as Go counts `[]rune(s)`.
    static func runeCount(_ s: String) -> Int {
        s.unicodeScalars.count
    }

    /// Go's `%q` of a string: double-quoted with `"`, `\` and control characters escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
