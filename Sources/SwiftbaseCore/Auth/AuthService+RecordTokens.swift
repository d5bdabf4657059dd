import Foundation

/// A token of any kind, checked: its record (as stored now) and the claims it carried.
public struct VerifiedRecordToken: Sendable {
    public var record: RecordModel
    public var collection: CollectionModel
    public var email: String?
    public var newEmail: String?
    public var refreshable: Bool
}

extension AuthService {
    /// Signs a token of `kind` for `record` with the record's `tokenKey` and the collection's secret of that
    /// kind. `duration` (seconds) overrides the collection's lifetime for the kind.
    public func issueToken(
        _ kind: AuthTokenKind, for record: RecordModel, in collection: CollectionModel, refreshable: Bool? = nil,
        email: String? = nil, newEmail: String? = nil, duration: Int? = nil
    ) async throws -> String {
        guard let auth = collection.auth else { throw SwiftbaseError.badRequest() }
        let secret = auth.secret(for: kind)
        let tokenKey = record.values["tokenKey"]?.stringValue ?? ""
        guard !secret.isEmpty, !tokenKey.isEmpty else {
            throw SwiftbaseError(.internalError, "Failed to create token.", debugDetail: "missing \(kind) secret")
        }
        let lifetime = duration.flatMap { $0 > 0 ? $0 : nil } ?? auth.duration(for: kind)
        let (expiry, overflow) = Int(clock.now.timeIntervalSince1970).addingReportingOverflow(lifetime)
        let claims = AuthTokenClaims(
            id: record.id, type: kind.rawValue, collectionId: collection.id, refreshable: refreshable, email: email,
            newEmail: newEmail, exp: overflow ? .max : expiry)
        return try await TokenSigner.sign(claims, key: tokenKey + secret)
    }

    /// The record a token of `kind` was issued to, or nil when the token is malformed, of another kind,
    /// expired, badly signed, or its record is gone or has rotated its `tokenKey` since (password or email
    /// changed): every failure looks the same to the caller.
    public func verifyToken(_ token: String, kind: AuthTokenKind) async -> VerifiedRecordToken? {
        try? await checkToken(token, kind: kind)
    }

    /// The record a token of `kind` was issued to, as stored now. Throws `CredentialError` saying why the token
    /// is refused (`.malformed`, `.unsupportedTokenType`, `.expired`, `.invalid` for a bad signature, a rotated
    /// `tokenKey` or secret, or a collection or record that is gone), or the store's error when it cannot be
    /// read. The claims are read unverified only to find the record and secret to verify with.
    public func checkToken(_ token: String, kind: AuthTokenKind) async throws -> VerifiedRecordToken {
        guard let claims = TokenSigner.unverifiedClaims(token) else { throw CredentialError(.malformed) }
        guard claims.type == kind.rawValue else { throw CredentialError(.unsupportedTokenType) }
        guard let collection = registry.snapshot.collection(claims.collectionId), collection.id == claims.collectionId,
            let auth = collection.auth
        else { throw CredentialError(.invalid) }
        let secret = auth.secret(for: kind)
        guard !secret.isEmpty, let record = try await findRecord(id: claims.id, in: collection),
            let tokenKey = record.values["tokenKey"]?.stringValue, !tokenKey.isEmpty
        else { throw CredentialError(.invalid) }
        let verified = try await TokenSigner.verify(token, key: tokenKey + secret, now: clock.now)
        return VerifiedRecordToken(
            record: record, collection: collection, email: verified.email, newEmail: verified.newEmail,
            refreshable: verified.refreshable ?? false)
    }
}
