import Crypto
import Foundation

/// The provider links `auth-methods` lists, built as PocketBase builds them (Go's `oauth2.AuthCodeURL`):
/// `client_id`, `response_type=code`, the space-joined `scope`, `state` and — with PKCE — the S256
/// `code_challenge`, sorted by name and form-encoded, then an empty `redirect_uri=` for the app to complete.
public struct OAuth2AuthorizationURL: Sendable {
    public let state: String
    public let codeVerifier: String
    public let codeChallenge: String
    public let codeChallengeMethod: String
    public let url: String

    public init(provider: OAuth2Provider) {
        state = RandomString.make(length: 30, alphabet: RandomString.alphanumeric)
        var params = [
            ("client_id", provider.clientId), ("response_type", "code"), ("state", state),
        ]
        if !provider.info.scopes.isEmpty { params.append(("scope", provider.info.scopes.joined(separator: " "))) }
        params += provider.info.authParameters
        if provider.pkce {
            codeVerifier = RandomString.make(length: 43, alphabet: RandomString.alphanumeric)
            codeChallenge = Self.s256(codeVerifier)
            codeChallengeMethod = "S256"
            params += [("code_challenge", codeChallenge), ("code_challenge_method", "S256")]
        } else {
            (codeVerifier, codeChallenge, codeChallengeMethod) = ("", "", "")
        }
        let separator = provider.authURL.contains("?") ? "&" : "?"
        url = provider.authURL + separator + Self.formEncoded(params.sorted { $0.0 < $1.0 }) + "&redirect_uri="
    }

    /// The PKCE S256 challenge: unpadded base64url of the verifier's SHA-256.
    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Go's `url.QueryEscape` over each name and value, joined with `&`.
    public static func formEncoded(_ params: [(String, String)]) -> String {
        params.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
