public import SwiftbaseCore
import SwiftbaseHTTP

/// Superuser management for the CLI (`swiftbase superuser …`), through the one write path.
extension SwiftbaseApp {
    /// Creates the superuser, or sets its password when it exists.
    public func upsertSuperuser(email: String, password: String) async throws {
        if let existing = try await findSuperuser(email: email) {
            _ = try await services.records.update(
                in: SystemCollections.superusersID, id: existing.id,
                input: RecordInput(["password": .string(password), "passwordConfirm": .string(password)]),
                request: RequestInfo(auth: .system, method: "PATCH"))
        } else {
            try await createSuperuser(email: email, password: password)
        }
    }

    public func createSuperuser(email: String, password: String) async throws {
        _ = try await services.records.create(
            in: SystemCollections.superusersID,
            input: RecordInput([
                "email": .string(email), "password": .string(password), "passwordConfirm": .string(password),
                "verified": true,
            ]),
            request: RequestInfo(auth: .system, method: "POST"))
    }

    /// Sets the password of an existing superuser; fails when there is none with that email.
    public func updateSuperuserPassword(email: String, password: String) async throws {
        guard let existing = try await findSuperuser(email: email) else {
            throw SwiftbaseError.notFound("Superuser with email \"\(email)\" doesn't exist.")
        }
        _ = try await services.records.update(
            in: SystemCollections.superusersID, id: existing.id,
            input: RecordInput(["password": .string(password), "passwordConfirm": .string(password)]),
            request: RequestInfo(auth: .system, method: "PATCH"))
    }

    public func deleteSuperuser(email: String) async throws {
        guard let existing = try await findSuperuser(email: email) else { return }
        try await services.records.delete(
            in: SystemCollections.superusersID, id: existing.id, request: RequestInfo(auth: .system, method: "DELETE"))
    }

    /// Creates a one-time password for a superuser (OTP must be enabled on `_superusers`), for logging in
    /// with `auth-with-otp` when the password is lost.
    public func createSuperuserOTP(email: String) async throws -> (otp: IssuedOTP, duration: Int) {
        guard AddressFormat.isValidEmail(email) else { throw SwiftbaseError.badRequest("Invalid or missing email address.") }
        let collection = try services.accounts.authCollection(SystemCollections.superusersID)
        guard let superuser = try await services.auth.findRecord(email: email, in: collection) else {
            throw SwiftbaseError.notFound("Superuser with email \"\(email)\" doesn't exist.")
        }
        let options = AccountService.otpOptions(collection)
        guard options.enabled else {
            throw SwiftbaseError.badRequest("OTP auth is not enabled for the _superusers collection.")
        }
        let otp = try await services.accounts.issueOTP(for: superuser, in: collection, sentTo: "")
        return (otp, options.duration)
    }

    /// The superuser with this email as logins find it: case-insensitively only when the collection's unique
    /// email index says `COLLATE NOCASE` (PocketBase's `FindAuthRecordByEmail`, which its CLI uses too).
    func findSuperuser(email: String) async throws -> RecordModel? {
        try await services.auth.findRecord(
            email: email, in: services.accounts.authCollection(SystemCollections.superusersID))
    }
}
