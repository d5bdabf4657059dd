/// Reads typed keys of a JSON object the way Go's `json.Unmarshal` fills a struct: a missing key or
/// `null` keeps the default, a value of the wrong JSON type (or a fraction for an integer) fails the whole
/// body with PocketBase's "invalid formatting" error.
struct JSONOptionReader {
    let object: [String: JSONValue]

    init(_ object: [String: JSONValue]) {
        self.object = object
    }

    static var formatError: SwiftbaseError {
        SwiftbaseError.badRequest("Failed to load the submitted data due to invalid formatting.")
    }

    func string(_ key: String, default value: String = "") throws(SwiftbaseError) -> String {
        switch object[key] {
        case nil, .null?: return value
        case .string(let s)?: return s
        default: throw Self.formatError
        }
    }

    /// A nullable string (collection rules): missing keeps the default, `null` is nil.
    func optionalString(_ key: String, default value: String?) throws(SwiftbaseError) -> String? {
        switch object[key] {
        case nil: return value
        case .null?: return nil
        case .string(let s)?: return s
        default: throw Self.formatError
        }
    }

    func bool(_ key: String, default value: Bool = false) throws(SwiftbaseError) -> Bool {
        switch object[key] {
        case nil, .null?: return value
        case .bool(let b)?: return b
        default: throw Self.formatError
        }
    }

    func int(_ key: String, default value: Int = 0) throws(SwiftbaseError) -> Int {
        switch object[key] {
        case nil, .null?: return value
        case .number(let d)?:
            guard let i = Int(exactly: d) else { throw Self.formatError }
            return i
        default: throw Self.formatError
        }
    }

    /// A nullable number (number field `min`/`max`): missing keeps the default, `null` is nil.
    func optionalDouble(_ key: String, default value: Double? = nil) throws(SwiftbaseError) -> Double? {
        switch object[key] {
        case nil: return value
        case .null?: return nil
        case .number(let d)?: return d
        default: throw Self.formatError
        }
    }

    func strings(_ key: String, default value: [String] = []) throws(SwiftbaseError) -> [String] {
        switch object[key] {
        case nil, .null?: return value
        case .array(let items)?:
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .string(let s): out.append(s)
                case .null: out.append("")
                default: throw Self.formatError
                }
            }
            return out
        default: throw Self.formatError
        }
    }

    /// A nested object: missing or `null` gives nil.
    func object(_ key: String) throws(SwiftbaseError) -> [String: JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw Self.formatError
        }
    }
}

extension Array where Element == String {
    /// The JSON array of these strings.
    package var jsonArray: JSONValue { .array(map(JSONValue.string)) }
}
