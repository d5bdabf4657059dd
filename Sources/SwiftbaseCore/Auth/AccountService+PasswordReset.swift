extension AccountService {
    /// `request-password-reset`: mails a reset token. Unknown and throttled addresses get the same silent
    /// success.
    public func requestPasswordReset(collection idOrName: String, email: String) async throws {
        let collection = try authCollection(idOrName)
        guard collection.auth?.passwordAuthEnabled == true else {
            throw SwiftbaseError.badRequest("The collection is not configured to allow password authentication.")
        }
        try Self.requireValidEmail(email)
        guard let record = try await auth.findRecord(email: email, in: collection) else { return }
        try await mailToken(
            .passwordReset, template: "resetPasswordTemplate", to: email, record: record, collection: collection)
    }

    /// `confirm-password-reset`: sets the new password (which rotates `tokenKey`, so the reset token and every
    /// earlier auth token die with it) and marks the record verified when the token was mailed to its email.
    public func confirmPasswordReset(collection idOrName: String, token: String, password: String, passwordConfirm: String)
        async throws
    {
        let collection = try authCollection(idOrName)
        var errors: [String: ErrorItem] = [:]
        var verified: VerifiedRecordToken?
        do {
            verified = try await checkedToken(token, kind: .passwordReset, collection: collection, requireEmail: false)
        } catch let error as SwiftbaseError {
            if case .fields(let items) = error.data, let item = items["token"], case .item(let tokenError) = item {
                errors["token"] = tokenError
            } else {
                throw error
            }
        }
        let minimum = max(1, Self.passwordMinimum(in: collection))
        if password.isEmpty {
            errors["password"] = .required
        } else if password.count < minimum || password.count > 255 {
            errors["password"] = .lengthOutOfRange(min: minimum, max: 255)
        }
        if passwordConfirm.isEmpty {
            errors["passwordConfirm"] = .required
        } else if passwordConfirm != password {
            errors["passwordConfirm"] = .valuesMismatch
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(Self.validationFailed, .items(errors)) }
        guard let verified else { throw SwiftbaseError.badRequest("Invalid or expired password reset token.") }
        var values: [String: JSONValue] = ["password": .string(password), "passwordConfirm": .string(password)]
        if verified.record.values["verified"]?.boolValue != true,
            verified.email == verified.record.values["email"]?.stringValue
        {
            values["verified"] = true
        }
        do {
            try await save(values, on: verified.record, in: collection)
        } catch let error as SwiftbaseError where error.code == .badRequest {
            throw SwiftbaseError.validation("Failed to set new password.", error.data)
        }
        forgetThrottle(.passwordReset, record: verified.record, collection: collection)
    }

    static func passwordMinimum(in collection: CollectionModel) -> Int {
        for field in collection.fields where field.name == "password" {
            if case .password(let options) = field.options { return options.min }
        }
        return 0
    }
}
