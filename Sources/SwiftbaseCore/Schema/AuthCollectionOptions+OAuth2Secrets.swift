/// OAuth2 client secrets are write-only, as token secrets are: the collection's public JSON never holds them,
/// so they are kept apart (in the repository's `secrets` column) and carried over on updates.
extension AuthCollectionOptions {
    /// The providers' client secrets, by position in `oauth2.providers`.
    var oauth2ClientSecrets: [String] {
        (extra["oauth2"]?["providers"]?.arrayValue ?? []).map { $0["clientSecret"]?.stringValue ?? "" }
    }

    /// Sets the secrets of providers given without one from `secrets`, by position — as PocketBase decodes an
    /// update over the stored providers, so a provider sent without its secret keeps the one at its place.
    mutating func fillOAuth2ClientSecrets(_ secrets: [String]) {
        guard case .object(var oauth2)? = extra["oauth2"], case .array(var providers)? = oauth2["providers"] else {
            return
        }
        for index in providers.indices where index < secrets.count && !secrets[index].isEmpty {
            // Only an absent key: a secret sent empty stays empty (and fails validation), as in PocketBase.
            guard case .object(var provider) = providers[index], provider["clientSecret"] == nil else { continue }
            provider["clientSecret"] = .string(secrets[index])
            providers[index] = .object(provider)
        }
        oauth2["providers"] = .array(providers)
        extra["oauth2"] = .object(oauth2)
    }
}
