/// The `webhooks` section of `/api/settings`, as delivery reads it at each attempt.
public struct WebhookSettings: Sendable, Equatable {
    /// Svix's schedule: after the first attempt fails, retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    public static let defaultRetrySchedule: [Double] = [5, 300, 1800, 7200, 18000, 36000, 36000]

    /// Seconds to wait before each retry; its length is the number of retries.
    public var retrySchedule: [Double]
    /// Failed messages in a row after which a webhook is disabled; 0 never disables.
    public var disableAfterFailures: Int
    public var allowPrivateTargets: Bool
    /// Seconds an attempt may take.
    public var timeout: Double

    public init(
        retrySchedule: [Double] = defaultRetrySchedule, disableAfterFailures: Int = 20, allowPrivateTargets: Bool = false,
        timeout: Double = 10
    ) {
        self.retrySchedule = retrySchedule
        self.disableAfterFailures = disableAfterFailures
        self.allowPrivateTargets = allowPrivateTargets
        self.timeout = timeout
    }

    /// The wait before the retry that follows attempt number `attempts`; nil when none is left.
    func delay(afterAttempt attempts: Int) -> Duration? {
        guard attempts >= 1, attempts <= retrySchedule.count else { return nil }
        return .milliseconds(Int64((retrySchedule[attempts - 1] * 1000).rounded()))
    }
}

extension SettingsService {
    public var webhookSettings: WebhookSettings {
        let section = snapshot["webhooks"]
        let defaults = WebhookSettings()
        return WebhookSettings(
            retrySchedule: section?["retrySchedule"]?.arrayValue?.compactMap(\.doubleValue) ?? defaults.retrySchedule,
            disableAfterFailures: Int(saturating: section?["disableAfterFailures"]?.doubleValue ?? 20),
            allowPrivateTargets: section?["allowPrivateTargets"]?.boolValue ?? false,
            timeout: section?["timeout"]?.doubleValue ?? defaults.timeout)
    }
}
