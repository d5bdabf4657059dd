import Foundation

/// A token endpoint's answer to an authorization-code exchange, as Go's oauth2 package reads it: JSON, or a
/// form for the providers that answer one. An answer without `access_token` is a failure.
public struct OAuth2TokenResponse: Sendable {
    public var accessToken: String
    public var tokenType: String
    public var refreshToken: String
    public var idToken: String
    /// PocketBase's date format, or "" without `expires_in`.
    public var expiry: String

    init(_ response: OAuth2HTTPResponse, now: Date) throws {
        var values: [String: JSONValue] = [:]
        let text = String(decoding: response.body, as: UTF8.self)
        if response.contentType.hasPrefix("application/x-www-form-urlencoded") || response.contentType.hasPrefix("text/plain") {
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    $0.removingPercentEscapes(plusAsSpace: true) ?? String($0)
                }
                if parts.count == 2 { values[parts[0]] = .string(parts[1]) }
            }
        } else {
            values = (try? JSONValue.parse(text))?.objectValue ?? [:]
        }
        accessToken = values["access_token"]?.stringValue ?? ""
        guard !accessToken.isEmpty else { throw OAuth2ExchangeError("the token response has no access_token") }
        tokenType = values["token_type"]?.stringValue ?? ""
        refreshToken = values["refresh_token"]?.stringValue ?? ""
        idToken = values["id_token"]?.stringValue ?? ""
        let seconds = values["expires_in"]?.doubleValue ?? values["expires_in"]?.stringValue.flatMap(Double.init) ?? 0
        expiry = seconds > 0 ? DateTime.format(now.addingTimeInterval(seconds)) : ""
    }

    /// The Authorization header for API calls with this token (`Bearer` unless the provider named another).
    var authorization: String {
        let type = tokenType.isEmpty || tokenType.lowercased() == "bearer" ? "Bearer" : tokenType
        return type + " " + accessToken
    }
}
