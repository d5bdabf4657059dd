import Foundation
import JWTKit

/// The claims of PocketBase's record tokens: `{"id","type","collectionId","refreshable","exp"}` with an
/// integer `exp` (the SDKs decode it themselves and need a whole number).
struct AuthTokenClaims: JWTPayload, Equatable {
    var id: String
    var type: String
    var collectionId: String
    var refreshable: Bool?
    var exp: Int

    init(id: String, type: String, collectionId: String, refreshable: Bool?, exp: Int) {
        self.id = id
        self.type = type
        self.collectionId = collectionId
        self.refreshable = refreshable
        self.exp = exp
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard Double(exp) > Date().timeIntervalSince1970 else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "expired")
        }
    }
}
