extension IdentityResolver {
    /// The identity behind a user name and password, for transports whose clients log in with both (an MQTT
    /// CONNECT): the password may itself be a credential — a record token or an `sbk_` API key, the user name then
    /// ignored — or the password of the auth record whose identity field (email, username…) is `username`.
    ///
    /// - Parameters:
    ///   - authCollection: the auth collection records log in to; empty tries every auth collection but
    ///     `_superusers`, in schema order, and takes the first that accepts (superusers may still present a token).
    ///   - clientIP: checked against an API key's allow-list and the login throttle.
    /// - Throws: `CredentialError(.invalid)` when no collection accepts the password, or the credential's own
    ///   `CredentialError`; a login that is throttled or refused by the collection's `authRule` is invalid too.
    ///   A wrong password is audited as `auth.login_failed` (target `collection/identity`), as REST logins are.
    public func resolve(
        username: String, password: String, authCollection: String, clientIP: String
    ) async throws -> AuthContext {
        if password.hasPrefix(APIKeyService.keyPrefix) || Self.looksLikeToken(password) {
            return try await resolve(credential: password, clientIP: clientIP)
        }
        guard !username.isEmpty, !password.isEmpty else { throw CredentialError(.invalid) }
        let snapshot = auth.registry.snapshot
        let candidates =
            authCollection.isEmpty
            ? snapshot.collections.filter { $0.isAuth && $0.name != SystemCollections.superusersName }
            : [snapshot.collection(authCollection)].compactMap { $0 }.filter(\.isAuth)
        for collection in candidates where collection.auth?.passwordAuthEnabled == true {
            let found: (record: RecordModel, collection: CollectionModel)
            do {
                found = try await auth.authWithPassword(
                    collection: collection.id, identity: username, password: password, clientIP: clientIP)
            } catch let error as SwiftbaseError {
                if let note = error.audit, let audit {
                    let number = audit.record(
                        AuditEvent(event: note.event, actor: AuthContext.guest.auditActor, ip: clientIP, target: note.target))
                    await audit.waitUntilStored(through: number)
                }
                continue
            }
            do {
                try await auth.requireAuthRule(
                    for: found.record, in: found.collection, request: RequestInfo(method: "POST", context: "password"))
            } catch is SwiftbaseError {
                throw CredentialError(.invalid)
            }
            return AuthService.context(for: found.record, in: found.collection)
        }
        throw CredentialError(.invalid)
    }

    /// Whether a password has a JWT's shape (three base64url parts, a JSON header first): tokens this server issues
    /// always do, and a password that does is taken as a token.
    static func looksLikeToken(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && value.hasPrefix("eyJ") && parts.allSatisfy { !$0.isEmpty }
    }
}
