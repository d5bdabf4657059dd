/// The `oauth2` part of auth options validation, as PocketBase checks it: nothing while disabled; otherwise
/// no provider twice, and each provider known by name, with a client id and secret, and its URLs URLs.
enum OAuth2OptionsValidation {
    static func validate(_ raw: JSONValue?, into errors: inout ErrorTree) {
        guard raw?["enabled"]?.boolValue == true else { return }
        let providers = raw?["providers"]?.arrayValue ?? []
        var seen: Set<String> = []
        for (index, provider) in providers.enumerated() {
            let name = provider["name"]?.stringValue ?? ""
            guard !name.isEmpty else { continue }
            if !seen.insert(name).inserted {
                errors["oauth2.providers.\(index).name"] = ErrorItem(
                    "validation_duplicated_provider", "The provider \(name) is already registered.",
                    params: ["name": .string(name)])
                return
            }
        }
        for (index, provider) in providers.enumerated() {
            let key = "oauth2.providers.\(index)."
            let name = provider["name"]?.stringValue ?? ""
            if name.isEmpty {
                errors[key + "name"] = .required
            } else if OAuth2ProviderCatalog.info(named: name) == nil {
                errors[key + "name"] = ErrorItem(
                    "validation_missing_provider", "Invalid or missing provider with name \(name).",
                    params: ["name": .string(name)])
            }
            for field in ["clientId", "clientSecret"] where (provider[field]?.stringValue ?? "").isEmpty {
                errors[key + field] = .required
            }
            for field in ["authURL", "tokenURL", "userInfoURL"] {
                let url = provider[field]?.stringValue ?? ""
                if !url.isEmpty && !AddressFormat.isURL(url) {
                    errors[key + field] = ErrorItem("validation_is_url", "Must be a valid URL.")
                }
            }
        }
    }
}
