import Logging
extension AccountService {
    /// `request-email-change`: mails a token to the new address of the requesting record. Unlike the other
    /// requests it answers failures, since the requester is already authenticated.
    public func requestEmailChange(collection idOrName: String, requester: AuthContext, newEmail: String) async throws {
        let collection = try authCollection(idOrName)
        if collection.id == SystemCollections.superusersID {
            throw SwiftbaseError.badRequest("All superusers can change their emails directly.")
        }
        guard let current = requester.record else {
            throw SwiftbaseError.unauthorized("The request requires valid auth record.")
        }
        guard current.collectionId == collection.id else {
            throw SwiftbaseError.forbidden("The request requires auth record from \(current.collectionName) collection.")
        }
        try Self.requireValidEmail(newEmail, key: "newEmail")
        if newEmail == current.values["email"]?.stringValue {
            throw SwiftbaseError.validation(
                Self.validationFailed, .items(["newEmail": ErrorItem("validation_not_in_invalid", "Must not be in list.")]))
        }
        if let taken = try await auth.findRecord(email: newEmail, in: collection), taken.id != current.id {
            throw SwiftbaseError.validation(
                Self.validationFailed,
                .items(["newEmail": ErrorItem("validation_invalid_new_email", "Invalid new email address.")]))
        }
        let token = try await auth.issueToken(
            .emailChange, for: current, in: collection, email: current.values["email"]?.stringValue ?? "",
            newEmail: newEmail)
        do {
            try await sendTemplate(
                "confirmEmailChangeTemplate", to: newEmail, record: current, collection: collection,
                values: ["TOKEN": token])
        } catch {
            logger.error("failed to send email change email", metadata: ["sb.error": "\(error)"])
            throw SwiftbaseError.badRequest("Failed to request email change.")
        }
    }

    /// `confirm-email-change`: with the token and the record's password, sets the new email and marks it
    /// verified (the email change rotates `tokenKey`, logging out every session).
    public func confirmEmailChange(collection idOrName: String, token: String, password: String) async throws {
        let collection = try authCollection(idOrName)
        if collection.id == SystemCollections.superusersID {
            throw SwiftbaseError.badRequest("All superusers can change their emails directly.")
        }
        var errors: [String: ErrorItem] = [:]
        var target: (record: RecordModel, newEmail: String)?
        if token.isEmpty {
            errors["token"] = .required
        } else {
            switch await parseEmailChangeToken(token, collection: collection) {
            case .accepted(let record, let newEmail): target = (record, newEmail)
            case .refused(let problem): errors["token"] = problem
            }
        }
        if password.isEmpty {
            errors["password"] = .required
        } else if password.count > 100 {
            errors["password"] = .lengthOutOfRange(min: 1, max: 100)
        } else if let target, let stored = try await auth.findStoredRecord(id: target.record.id, in: collection),
            try await records.passwords.verify(password, hash: stored.values["password"]?.stringValue ?? "")
        {
            // the password matches
        } else {
            errors["password"] = ErrorItem("validation_invalid_password", "Missing or invalid auth record password.")
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(Self.validationFailed, .items(errors)) }
        guard let target else { throw SwiftbaseError.badRequest("Invalid or expired token.") }
        do {
            try await save(["email": .string(target.newEmail), "verified": true], on: target.record, in: collection)
        } catch let error as SwiftbaseError where error.code == .badRequest {
            throw SwiftbaseError.validation("Failed to confirm email change.", error.data)
        }
    }

    private enum EmailChangeToken {
        case accepted(RecordModel, newEmail: String)
        case refused(ErrorItem)
    }

    private func parseEmailChangeToken(_ token: String, collection: CollectionModel) async -> EmailChangeToken {
        guard let newEmail = TokenSigner.unverifiedClaims(token)?.newEmail, !newEmail.isEmpty else {
            return .refused(
                ErrorItem("validation_invalid_token_payload", "Invalid token payload - newEmail must be set."))
        }
        guard let verified = await auth.verifyToken(token, kind: .emailChange) else {
            return .refused(ErrorItem("validation_invalid_token", "Invalid or expired token."))
        }
        guard verified.collection.id == collection.id else {
            return .refused(
                ErrorItem("validation_token_collection_mismatch", "The provided token is for different auth collection."))
        }
        if (try? await auth.findRecord(email: newEmail, in: collection)) != nil {
            return .refused(ErrorItem("validation_invalid_token_email", "The new email address is invalid."))
        }
        return .accepted(verified.record, newEmail: newEmail)
    }
}
