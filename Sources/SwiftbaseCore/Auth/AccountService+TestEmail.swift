extension AccountService {
    /// The templates `POST /api/settings/test/email` can send, PocketBase's names → the collection option.
    static let testTemplates: [String: String] = [
        "verification": "verificationTemplate", "password-reset": "resetPasswordTemplate",
        "email-change": "confirmEmailChangeTemplate", "otp": "otp", "login-alert": "authAlert",
    ]

    /// `POST /api/settings/test/email`: renders one of an auth collection's templates (`_superusers` by default)
    /// for a stand-in record — each visible field `__pb_test_<name>__`, as PocketBase fills it — and sends it to
    /// `email` now, so a failing mail setup answers here (400 with the mailer's words) rather than in a log.
    public func sendTestEmail(to email: String, template: String, collection idOrName: String) async throws {
        var errors: [String: ErrorItem] = [:]
        var collection: CollectionModel?
        if !idOrName.isEmpty {
            collection = try? authCollection(idOrName)
            if collection == nil || idOrName.count > 255 {
                errors["collection"] = ErrorItem("validation_invalid_auth_collection", "Must be a valid auth collection id or name.")
            }
        }
        if let problem = Self.emailProblem(email) { errors["email"] = problem }
        let key = Self.testTemplates[template]
        if template.isEmpty { errors["template"] = .required } else if key == nil { errors["template"] = .inInvalid }
        guard errors.isEmpty, let key else { throw SwiftbaseError.validation("Failed to send the test email.", .items(errors)) }
        let target = try collection ?? authCollection(SystemCollections.superusersID)
        var values: [String: JSONValue] = [:]
        for field in target.fields where !field.hidden { values[field.name] = .string("__pb_test_\(field.name)__") }
        values["email"] = .string(email)
        values["tokenKey"] = .string(RandomString.make(length: 50, alphabet: RandomString.alphanumeric))
        let record = RecordModel(collectionId: target.id, collectionName: target.name, values: values)
        var placeholders: [String: String] = [:]
        switch template {
        case "verification": placeholders["TOKEN"] = try await auth.issueToken(.verification, for: record, in: target, email: email)
        case "password-reset": placeholders["TOKEN"] = try await auth.issueToken(.passwordReset, for: record, in: target, email: email)
        case "email-change":
            placeholders["TOKEN"] = try await auth.issueToken(.emailChange, for: record, in: target, email: email, newEmail: email)
        case "otp": placeholders = ["OTP": "123456", "OTP_ID": "_PB_TEST_OTP_ID_"]
        default: placeholders["ALERT_INFO"] = DateTime.now() + " - 127.0.0.1 TEST_USER_AGENT"
        }
        do {
            try await sendTemplate(key, to: email, record: record, collection: target, values: placeholders)
        } catch let error as SwiftbaseError where error.code == .badRequest {
            throw error
        } catch {
            throw SwiftbaseError.badRequest("Failed to send the test email. Raw error: \n\(error)")
        }
    }
}
