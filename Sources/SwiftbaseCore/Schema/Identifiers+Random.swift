extension Identifiers {
    private static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    private static let lowerAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A random `[a-zA-Z0-9]{length}` string: token keys and secrets.
    static func randomString(length: Int) -> String {
        RandomString.make(length: length, alphabet: alphanumerics)
    }

    /// A random string matching an autogenerate pattern; a pattern that cannot be generated falls back to
    /// PocketBase's record-id shape, `[a-z0-9]{15}`.
    static func randomString(pattern: String) -> String {
        // PocketBase's default id pattern, generated without parsing it each time.
        if pattern == "[a-z0-9]{15}" { return RandomString.make(length: 15, alphabet: lowerAlphanumerics) }
        return (try? RandomString.matching(pattern)) ?? RandomString.make(length: 15, alphabet: lowerAlphanumerics)
    }

    /// `randomString(pattern:)` with PocketBase's default id shape drawn from `generator`: ids made in bulk (a
    /// batch of points) from one seeded generator instead of a `getrandom` call each. Other patterns are
    /// generated as `randomString(pattern:)` does.
    static func randomString(pattern: String, using generator: inout some RandomNumberGenerator) -> String {
        if pattern == "[a-z0-9]{15}" {
            return RandomString.make(length: 15, alphabet: lowerAlphanumerics, using: &generator)
        }
        return randomString(pattern: pattern)
    }
}
