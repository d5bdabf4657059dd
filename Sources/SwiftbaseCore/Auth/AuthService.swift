import Foundation

/// Authenticates requests from tokens and records from passwords, and issues tokens.
///
/// A token that is malformed, expired, of another type, signed with a stale key, or whose record is gone
/// makes the request a guest — never an error — as PocketBase does.
public final class AuthService: Sendable {
    public let store: any Store
    public let registry: SchemaRegistry
    public let passwords: any PasswordHasher

    public init(store: any Store, registry: SchemaRegistry, passwords: any PasswordHasher) {
        self.store = store
        self.registry = registry
        self.passwords = passwords
    }

    // MARK: - Tokens

    /// The identity behind an `Authorization` header value (`<token>` or `Bearer <token>`).
    public func authenticate(authorizationHeader: String?) async -> AuthContext {
        guard var token = authorizationHeader?.trimmingCharacters(in: .whitespaces), !token.isEmpty else { return .guest }
        if token.lowercased().hasPrefix("bearer ") { token = String(token.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        return await authenticate(token: token)
    }

    public func authenticate(token: String) async -> AuthContext {
        guard let claims = TokenSigner.unverifiedClaims(token), claims.type == "auth" else { return .guest }
        let schema = registry.snapshot
        guard let collection = schema.collection(claims.collectionId), collection.id == claims.collectionId,
            let auth = collection.auth
        else { return .guest }
        guard let record = try? await loadRecord(claims.id, in: collection),
            let tokenKey = record.values["tokenKey"]?.stringValue,
            await TokenSigner.verify(token, key: tokenKey + auth.authTokenSecret) != nil
        else { return .guest }
        return Self.context(for: record, in: collection)
    }

    /// A new auth token for `record` (refreshable unless it is an impersonation token).
    public func issueToken(for record: RecordModel, in collection: CollectionModel, refreshable: Bool = true,
        duration: Int? = nil) async throws -> String
    {
        guard let auth = collection.auth else { throw SwiftbaseError.badRequest() }
        let tokenKey = record.values["tokenKey"]?.stringValue ?? ""
        let lifetime = duration.flatMap { $0 > 0 ? $0 : nil } ?? auth.authTokenDuration
        let claims = AuthTokenClaims(
            id: record.id, type: "auth", collectionId: collection.id, refreshable: refreshable,
            exp: Int(Date().timeIntervalSince1970) + lifetime)
        return try await TokenSigner.sign(claims, key: tokenKey + auth.authTokenSecret)
    }

    // MARK: - Password login

    /// Finds the record by each identity field in turn and checks the password. Any failure is the same
    /// generic 400, so logins reveal nothing about which accounts exist.
    public func authWithPassword(
        collection collectionIDOrName: String, identity: String, password: String, identityField: String? = nil
    ) async throws -> (record: RecordModel, collection: CollectionModel) {
        let schema = registry.snapshot
        guard let collection = schema.collection(collectionIDOrName), let auth = collection.auth else {
            throw SwiftbaseError.notFound("Missing or invalid auth collection context.")
        }
        guard auth.passwordAuthEnabled else {
            throw SwiftbaseError.forbidden("The collection is not configured to allow password authentication.")
        }
        var fieldErrors: [String: ErrorItem] = [:]
        if identity.isEmpty { fieldErrors["identity"] = .required }
        if password.isEmpty { fieldErrors["password"] = .required }
        if identity.count > 255 { fieldErrors["identity"] = .lengthOutOfRange(min: 1, max: 255) }
        if password.count > 255 { fieldErrors["password"] = .lengthOutOfRange(min: 1, max: 255) }
        if let identityField, !auth.passwordIdentityFields.contains(identityField) {
            fieldErrors["identityField"] = .inInvalid
        }
        if !fieldErrors.isEmpty {
            throw SwiftbaseError.validation("An error occurred while validating the submitted data.", .items(fieldErrors))
        }
        let fields = identityField.map { [$0] } ?? auth.passwordIdentityFields
        let failed = SwiftbaseError.badRequest("Failed to authenticate.")
        var found: RecordModel?
        for name in fields {
            if name == "email" && !identity.contains("@") && fields.count > 1 { continue }
            guard collection.field(named: name) != nil else { continue }
            found = try await store.read { conn in
                try conn.row(
                    SQLFragment(
                        unsafeRaw:
                            "SELECT * FROM \(quoteIdentifier(collection.name)) WHERE \(quoteIdentifier(name)) = ? COLLATE NOCASE LIMIT 1",
                        arguments: [.text(identity)])
                ).map { RecordRow.storedRecord(from: $0, in: collection) }
            }
            if found != nil { break }
        }
        let hash = found?.values["password"]?.stringValue ?? Self.dummyHash
        let matches = await passwords.verify(password, hash: hash)
        guard let record = found, matches else { throw failed }
        var clean = record
        clean.values["password"] = .null
        return (clean, collection)
    }

    // MARK: - Helpers

    /// Verifying against a fixed hash when no record matched keeps the response time the same.
    private static let dummyHash = "$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW3OC1ZH/lvQzC6u"

    func loadRecord(_ id: String, in collection: CollectionModel) async throws -> RecordModel? {
        try await store.read { conn in
            try conn.row(RecordService.selectByID(id, collection)).map { RecordRow.record(from: $0, in: collection) }
        }
    }

    public static func context(for record: RecordModel, in collection: CollectionModel) -> AuthContext {
        collection.id == SystemCollections.superusersID ? AuthContext(.superuser(record)) : AuthContext(.record(record))
    }
}
