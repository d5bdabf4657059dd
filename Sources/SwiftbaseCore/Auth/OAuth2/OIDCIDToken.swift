import Foundation
import JWTKit

/// An OpenID Connect id_token checked as PocketBase checks one: `aud` must name the client, `exp`, `nbf` and
/// `iat` hold within five minutes of leeway; `iss` must be one of the `issuers` extra option when that is
/// set, and the RS256/EdDSA signature must verify with the key of the token's `kid` from the `jwksURL` extra
/// option when that is set. (PocketBase sends no `nonce`, so none is checked.)
struct OIDCIDToken {
    static let leeway: TimeInterval = 300

    let claims: [String: JSONValue]

    static func validate(
        _ token: String, provider: OAuth2Provider, transport: any OAuth2Transport, now: Date
    ) async throws -> [String: JSONValue] {
        guard !token.isEmpty else { throw OAuth2ExchangeError("empty id_token") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = decodeSegment(parts[0]), let claims = decodeSegment(parts[1]) else {
            throw OAuth2ExchangeError("malformed id_token")
        }
        try checkTimes(claims, now: now)
        try checkAudience(claims, clientId: provider.clientId)
        let issuers = (provider.extra["issuers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !issuers.isEmpty, !issuers.contains(claims["iss"]?.stringValue ?? "") {
            throw OAuth2ExchangeError("iss is not one of the configured issuers")
        }
        if let jwksURL = provider.extra["jwksURL"]?.stringValue, !jwksURL.isEmpty {
            try await verifySignature(token, header: header, jwksURL: jwksURL, transport: transport)
        }
        return claims
    }

    private static func checkTimes(_ claims: [String: JSONValue], now: Date) throws {
        let now = now.timeIntervalSince1970
        for key in ["exp", "nbf", "iat"] {
            guard let value = claims[key] else { continue }
            guard let time = value.doubleValue else { throw OAuth2ExchangeError("invalid \(key) claim") }
            switch key {
            case "exp" where now > time + leeway: throw OAuth2ExchangeError("the id_token is expired")
            case "nbf" where now + leeway < time: throw OAuth2ExchangeError("the id_token is not valid yet")
            case "iat" where now + leeway < time: throw OAuth2ExchangeError("the id_token was issued in the future")
            default: continue
            }
        }
    }

    private static func checkAudience(_ claims: [String: JSONValue], clientId: String) throws {
        let audiences: [String]
        switch claims["aud"] {
        case .string(let aud)?: audiences = [aud]
        case .array(let list)?: audiences = list.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(clientId) else { throw OAuth2ExchangeError("aud does not name the client") }
    }

    private static func verifySignature(
        _ token: String, header: [String: JSONValue], jwksURL: String, transport: any OAuth2Transport
    ) async throws {
        guard let kid = header["kid"]?.stringValue, !kid.isEmpty else { throw OAuth2ExchangeError("missing kid header") }
        let response = try await transport.get(jwksURL, authorization: nil)
        guard response.status < 400 else { throw OAuth2ExchangeError("the JWKS answered \(response.status)") }
        // PocketBase takes the first key with the token's kid and a non-empty alg.
        let keys = (try? JSONValue.parse(String(decoding: response.body, as: UTF8.self)))?["keys"]?.arrayValue ?? []
        guard let key = keys.first(where: { $0["kid"]?.stringValue == kid && !($0["alg"]?.stringValue ?? "").isEmpty }),
            key["alg"]?.stringValue == header["alg"]?.stringValue
        else { throw OAuth2ExchangeError("no JWK with the token's kid and alg") }
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwksJSON: JSONValue.object(["keys": .array([key])]).jsonString)
            _ = try await collection.verify(token, as: SignatureOnly.self)
        } catch {
            throw OAuth2ExchangeError("id_token signature verification failed")
        }
    }

    private static func decodeSegment(_ segment: Substring) -> [String: JSONValue]? {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONValue.parse(data))?.objectValue
    }
}

/// A payload that checks nothing: the claims are checked above, as PocketBase checks them.
private struct SignatureOnly: JWTPayload {
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
