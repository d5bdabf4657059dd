/// The `logs` section of the settings, as PocketBase reads it: `maxDays` (0 = requests are not logged, and
/// stored entries are pruned), `minLevel` (entries below it are not stored), `logIP` (`userIP`/`remoteIP`),
/// `logAuthId` (`authId`).
public struct LogSettings: Sendable, Equatable {
    public var maxDays: Int
    public var minLevel: Int
    public var logIP: Bool
    public var logAuthId: Bool

    public init(maxDays: Int = 5, minLevel: Int = 0, logIP: Bool = true, logAuthId: Bool = false) {
        self.maxDays = maxDays
        self.minLevel = minLevel
        self.logIP = logIP
        self.logAuthId = logAuthId
    }

    /// Reads the section; missing keys keep PocketBase's defaults.
    public init(json: JSONValue?) {
        let defaults = LogSettings()
        self.init(
            maxDays: json?["maxDays"]?.doubleValue.map { Int(saturating: $0) } ?? defaults.maxDays,
            minLevel: json?["minLevel"]?.doubleValue.map { Int(saturating: $0) } ?? defaults.minLevel,
            logIP: json?["logIP"]?.boolValue ?? defaults.logIP,
            logAuthId: json?["logAuthId"]?.boolValue ?? defaults.logAuthId)
    }

    /// Whether requests are logged at all.
    public var isEnabled: Bool { maxDays > 0 }
}

extension SettingsService {
    /// The `logs` section now.
    public var logSettings: LogSettings { LogSettings(json: snapshot["logs"]) }
}
