/// The `logs` section of the settings, as PocketBase reads it: `maxDays` (0 = requests are not logged, and
/// stored entries are pruned), `minLevel` (entries below it are not stored), `logIP` (`userIP`/`remoteIP`),
/// `logAuthId` (`authId`).
public struct LogSettings: Sendable, Equatable {
    public var maxDays: Int
    public var minLevel: Int
    public var logIP: Bool
    public var logAuthId: Bool
    /// The largest `data` (as JSON bytes) an entry keeps; 0: PocketBase's default, 16 KiB. A larger `data` keeps the
    /// members that fit and gets `"__pb_truncated__": true` (PocketBase 0.40).
    public var maxDataSize: Int

    public init(maxDays: Int = 5, minLevel: Int = 0, logIP: Bool = true, logAuthId: Bool = false, maxDataSize: Int = 0) {
        self.maxDays = maxDays
        self.minLevel = minLevel
        self.logIP = logIP
        self.logAuthId = logAuthId
        self.maxDataSize = maxDataSize
    }

    /// PocketBase's default for `maxDataSize` 0.
    public static let defaultMaxDataSize = 16 << 10
    /// Messages are cut at this many bytes (PocketBase's fixed limit).
    public static let maxMessageSize = 8000

    /// The `data` size limit in effect.
    public var dataSizeLimit: Int { maxDataSize > 0 ? maxDataSize : Self.defaultMaxDataSize }

    /// Reads the section; missing keys keep PocketBase's defaults.
    public init(json: JSONValue?) {
        let defaults = LogSettings()
        self.init(
            maxDays: json?["maxDays"]?.doubleValue.map { Int(saturating: $0) } ?? defaults.maxDays,
            minLevel: json?["minLevel"]?.doubleValue.map { Int(saturating: $0) } ?? defaults.minLevel,
            logIP: json?["logIP"]?.boolValue ?? defaults.logIP,
            logAuthId: json?["logAuthId"]?.boolValue ?? defaults.logAuthId,
            maxDataSize: json?["maxDataSize"]?.doubleValue.map { Int(saturating: $0) } ?? defaults.maxDataSize)
    }

    /// Whether requests are logged at all.
    public var isEnabled: Bool { maxDays > 0 }
}

extension SettingsService {
    /// The `logs` section now.
    public var logSettings: LogSettings { LogSettings(json: snapshot["logs"]) }
}
