extension AccountService {
    /// `request-verification`: mails a verification token to an unverified record. Unknown, already verified
    /// and throttled addresses get the same silent success.
    public func requestVerification(collection idOrName: String, email: String) async throws {
        let collection = try authCollection(idOrName)
        if collection.id == SystemCollections.superusersID {
            throw SwiftbaseError.badRequest("All superusers are verified by default.")
        }
        try Self.requireValidEmail(email)
        guard let record = try await auth.findRecord(email: email, in: collection),
            record.values["verified"]?.boolValue != true
        else { return }
        try await mailToken(
            .verification, template: "verificationTemplate", to: email, record: record, collection: collection)
    }

    /// `confirm-verification`: marks the token's record verified.
    public func confirmVerification(collection idOrName: String, token: String) async throws {
        let collection = try authCollection(idOrName)
        if collection.id == SystemCollections.superusersID {
            throw SwiftbaseError.badRequest("All superusers are verified by default.")
        }
        let verified = try await checkedToken(token, kind: .verification, collection: collection, requireEmail: true)
        if verified.record.values["verified"]?.boolValue != true {
            var values: [String: JSONValue] = ["verified": true]
            if collection.auth?.passwordAuthEnabled == false {
                let password = Self.randomPassword()
                values["password"] = password
                values["passwordConfirm"] = password
            }
            try await save(values, on: verified.record, in: collection)
        }
        forgetThrottle(.verification, record: verified.record, collection: collection)
    }

    /// A token of `kind` for a record of `collection`, or the `token` validation error PocketBase gives.
    func checkedToken(_ token: String, kind: AuthTokenKind, collection: CollectionModel, requireEmail: Bool)
        async throws -> VerifiedRecordToken
    {
        func refuse(_ code: String, _ message: String) -> SwiftbaseError {
            SwiftbaseError.validation(Self.validationFailed, .items(["token": ErrorItem(code, message)]))
        }
        if token.isEmpty { throw SwiftbaseError.validation(Self.validationFailed, .items(["token": .required])) }
        if requireEmail, (TokenSigner.unverifiedClaims(token)?.email ?? "").isEmpty {
            throw refuse("validation_invalid_token_claims", "Missing email token claim.")
        }
        guard let verified = await auth.verifyToken(token, kind: kind) else {
            throw refuse("validation_invalid_token", "Invalid or expired token.")
        }
        guard verified.collection.id == collection.id else {
            throw refuse("validation_token_collection_mismatch", "The provided token is for different auth collection.")
        }
        if requireEmail, kind == .verification, verified.record.values["email"]?.stringValue != verified.email {
            throw refuse(
                "validation_token_email_mismatch", "The record email doesn't match with the requested token claims.")
        }
        return verified
    }
}
