/// Options of a `timeseries` collection: how long raw points and each rollup level are kept.
///
/// In a collection's JSON they sit under `timeseries`; every key is optional, an empty text (or `"0"`) keeps
/// forever, and a retention is a whole number with one unit — `s`, `m`, `h`, `d` or `w`:
///
/// ```json
/// {"type": "timeseries", "name": "readings", "timeseries": {"rawRetention": "7d", "rollups": {"1m": "30d", "1h": "400d"}}}
/// ```
public struct TimeSeriesOptions: Sendable, Equatable {
    /// Raw points older than this are pruned (text as sent; see ``seconds(of:)``).
    public var rawRetention: String
    /// Retention per rollup level, by level name (`1m`, `1h`).
    public var rollupRetention: [String: String]

    public init(rawRetention: String = "", rollupRetention: [String: String] = [:]) {
        self.rawRetention = rawRetention
        self.rollupRetention = rollupRetention
    }

    /// The retention of `level`, in seconds; nil keeps forever.
    public func retention(of level: RollupLevel?) -> Int64? {
        let text = level.map { rollupRetention[$0.name] ?? "" } ?? rawRetention
        return Self.seconds(of: text) ?? nil
    }

    /// Seconds a retention text stands for: `.some(nil)` for keep-forever (`""`, `"0"`), nil when malformed.
    public static func seconds(of text: String) -> Int64?? {
        if text.isEmpty || text == "0" { return .some(nil) }
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0, count < 1_000_000 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        case "w": scale = 604_800
        default: return nil
        }
        return .some(count * scale)
    }

    init(json: JSONValue?) throws(SwiftbaseError) {
        guard let json, json != .null else {
            self.init()
            return
        }
        guard case .object(let object) = json else { throw JSONOptionReader.formatError }
        let reader = JSONOptionReader(object)
        var rollups: [String: String] = [:]
        for (key, value) in try reader.object("rollups") ?? [:] {
            switch value {
            case .string(let text): rollups[key] = text
            case .null: continue
            default: throw JSONOptionReader.formatError
            }
        }
        self.init(rawRetention: try reader.string("rawRetention"), rollupRetention: rollups)
    }

    var json: JSONValue {
        var rollups: [String: JSONValue] = [:]
        for level in RollupLevel.allCases { rollups[level.name] = .string(rollupRetention[level.name] ?? "") }
        for (key, value) in rollupRetention where rollups[key] == nil { rollups[key] = .string(value) }
        return .object(["rawRetention": .string(rawRetention), "rollups": .object(rollups)])
    }
}
