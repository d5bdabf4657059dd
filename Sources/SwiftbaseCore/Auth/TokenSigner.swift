import Foundation
import JWTKit

/// Signs and verifies HS256 tokens as PocketBase does: the key is the record's `tokenKey` followed by the
/// collection's secret for that token type, so rotating either invalidates the token.
enum TokenSigner {
    static func sign(_ claims: AuthTokenClaims, key: String) async throws -> String {
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// The claims, read without checking the signature: only to find which record and secret to verify with.
    static func unverifiedClaims(_ token: String) -> AuthTokenClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecode(String(parts[1])) else { return nil }
        return try? JSONDecoder().decode(AuthTokenClaims.self, from: payload)
    }

    /// The verified claims. Throws `CredentialError` `.expired` for a genuine token past its `exp` at `now`,
    /// `.invalid` for a bad signature or another algorithm (`alg: none` included).
    static func verify(_ token: String, key: String, now: Date) async throws(CredentialError) -> AuthTokenClaims {
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        let claims: AuthTokenClaims
        do {
            claims = try await keys.verify(token, as: AuthTokenClaims.self)
        } catch {
            throw CredentialError(.invalid)
        }
        if claims.hasExpired(at: now) { throw CredentialError(.expired) }
        return claims
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}
