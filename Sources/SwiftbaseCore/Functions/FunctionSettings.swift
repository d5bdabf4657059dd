extension SettingsService {
    /// `functions.allowPrivateHosts`: whether a function's `http_request` may reach loopback, private and
    /// link-local addresses (its `allowedHosts` still apply). Off by default.
    public var functionsAllowPrivateHosts: Bool {
        snapshot["functions"]?["allowPrivateHosts"]?.boolValue ?? false
    }
}
