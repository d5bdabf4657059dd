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
}
