import Foundation
import JWTKit

/// The claims of PocketBase's record tokens: `{"id","type","collectionId","refreshable","exp"}` with an
/// integer `exp` (the SDKs decode it themselves and need a whole number).
public struct AuthTokenClaims: JWTPayload, Equatable {
    public var id: String
    public var type: String
    public var collectionId: String
    public var refreshable: Bool?
    public var exp: Int

    public init(id: String, type: String, collectionId: String, refreshable: Bool?, exp: Int) {
        self.id = id
        self.type = type
        self.collectionId = collectionId
        self.refreshable = refreshable
        self.exp = exp
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        guard Double(exp) > Date().timeIntervalSince1970 else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "expired")
        }
    }
}
