import Foundation

/// How a login proved the identity, as `_mfas` records it.
public enum AuthMethod: String, Sendable {
    case password
    case otp
    case oauth2
}

extension AccountService {
    /// Decides whether a login may complete. When the collection wants two factors (`mfa.enabled`, and the
    /// record matches `mfa.rule` if there is one): without `mfaId` the first method is recorded and its new
    /// session id is returned (the caller answers 401 `{"mfaId"}`); with `mfaId` the session must be live, of
    /// this record, and from a different method — it is then spent and nil is returned. Nil also when no
    /// second factor is wanted.
    public func checkMFA(
        record: RecordModel, collection: CollectionModel, method: AuthMethod, mfaId: String, request: RequestInfo
    ) async throws -> String? {
        let mfa = collection.auth?.extra["mfa"]
        guard mfa?["enabled"]?.boolValue == true else { return nil }
        let rule = mfa?["rule"]?.stringValue ?? ""
        if !rule.isEmpty, try await !records.matches(rule, record: record, collection: collection, request: request) {
            return nil
        }
        if mfaId.isEmpty {
            let session = try await records.create(
                in: SystemCollections.mfasID,
                input: RecordInput([
                    "collectionRef": .string(collection.id), "recordRef": .string(record.id),
                    "method": .string(method.rawValue),
                ]),
                request: Self.system)
            return session.id
        }
        let duration = Int(saturating: mfa?["duration"]?.doubleValue ?? 600)
        let session = try? await records.view(in: SystemCollections.mfasID, id: mfaId, request: Self.system)
        guard let session, !Self.hasExpired(session, duration: duration, now: auth.clock.now) else {
            if session != nil { try? await records.delete(in: SystemCollections.mfasID, id: mfaId, request: Self.system) }
            throw SwiftbaseError.badRequest("Invalid or expired MFA session.")
        }
        guard session.values["recordRef"]?.stringValue == record.id,
            session.values["collectionRef"]?.stringValue == collection.id
        else { throw SwiftbaseError.badRequest("Invalid MFA session.") }
        if session.values["method"]?.stringValue == method.rawValue {
            throw SwiftbaseError.badRequest("A different authentication method is required.")
        }
        try? await records.delete(in: SystemCollections.mfasID, id: mfaId, request: Self.system)
        return nil
    }
}
