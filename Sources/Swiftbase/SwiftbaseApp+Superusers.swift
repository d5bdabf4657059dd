import SwiftbaseCore
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

    func findSuperuser(email: String) async throws -> RecordModel? {
        try await services.records.first(in: SystemCollections.superusersID, where: "email", equals: .text(email))
    }
}
