extension SettingsService {
    /// `mqtt.allowAnonymous`: whether an MQTT client may connect without credentials (as a guest). Off by default,
    /// as Mosquitto 2 is.
    public var mqttAllowAnonymous: Bool {
        snapshot["mqtt"]?["allowAnonymous"]?.boolValue ?? false
    }

    /// `mqtt.authCollection`: the auth collection an MQTT CONNECT's user name and password log in to; empty (the
    /// default) tries every auth collection but `_superusers`.
    public var mqttAuthCollection: String {
        snapshot["mqtt"]?["authCollection"]?.stringValue ?? ""
    }

    /// `mqtt.maxKeepAlive`: the longest keep-alive, in seconds, an MQTT 5 client is given (a longer one, or none,
    /// is answered with this as Server Keep Alive, as Mosquitto's `max_keepalive` does); nil (0, the default)
    /// grants what the client asks.
    public var mqttMaxKeepAlive: UInt16? {
        guard let seconds = snapshot["mqtt"]?["maxKeepAlive"]?.doubleValue, seconds >= 1 else { return nil }
        return UInt16(clamping: Int(saturating: seconds))
    }
}
