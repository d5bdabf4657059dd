import Foundation
import JWTKit

/// The claims of PocketBase's record tokens, one shape for every kind: `{"id","type","collectionId","exp"}`
/// plus `refreshable` for auth tokens, `email` for verification and password-reset tokens, and `email` with
/// `newEmail` for email-change tokens. `exp` is an integer (the SDKs decode it themselves and need a whole
/// number); absent optional claims are left out of the payload.
struct AuthTokenClaims: JWTPayload, Equatable {
    var id: String
    var type: String
    var collectionId: String
    var refreshable: Bool?
    var email: String?
    var newEmail: String?
    var exp: Int

    init(
        id: String, type: String, collectionId: String, refreshable: Bool? = nil, email: String? = nil,
        newEmail: String? = nil, exp: Int
    ) {
        self.id = id
        self.type = type
        self.collectionId = collectionId
        self.refreshable = refreshable
        self.email = email
        self.newEmail = newEmail
        self.exp = exp
    }

    /// Runs only once the signature verified, so an expired token is one that was genuine.
    /// JWTKit's check after the signature: nothing here, the expiry is checked against the auth service's
    /// clock (`TokenSigner.verify(_:key:now:)`).
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Whether the token is past its `exp` at `now`.
    func hasExpired(at now: Date) -> Bool {
        Double(exp) <= now.timeIntervalSince1970
    }
}
