import Foundation

/// Checks tokens and passwords, and issues tokens. Turning a request's credential into its identity is
/// `IdentityResolver`'s job, on top of `checkToken(_:kind:)`.
public final class AuthService: Sendable {
    public let store: any Store
    public let registry: SchemaRegistry
    public let passwords: any PasswordHasher
    public let loginThrottle: LoginThrottle
    /// What tokens are issued and checked against.
    public let clock: WallClock

    public init(
        store: any Store, registry: SchemaRegistry, passwords: any PasswordHasher,
        loginThrottle: LoginThrottle? = nil, clock: WallClock = .system
    ) {
        self.store = store
        self.registry = registry
        self.passwords = passwords
        self.loginThrottle = loginThrottle ?? LoginThrottle(clock: clock)
        self.clock = clock
    }

    // MARK: - Tokens

    /// Throws 403 unless `record` may authenticate: the collection's `authRule`, evaluated against the record
    /// with the requester's context (`null` lets no one in unless a superuser asks; `""` lets everyone in).
    public func requireAuthRule(for record: RecordModel, in collection: CollectionModel, request: RequestInfo)
        async throws
    {
        let denied = SwiftbaseError.forbidden("The request doesn't satisfy the collection requirements to authenticate.")
        if request.auth.isSuperuser { return }
        guard let rule = collection.auth?.authRule else { throw denied }
        guard
            let check = try RecordService.storedRecordCheck(
                rule, id: record.id, collection: collection, schema: registry.snapshot, request: request)
        else { return }
        guard try await store.read({ conn in try conn.row(check) != nil }) else { throw denied }
    }

    /// A new auth token for `record` (refreshable unless it is an impersonation token).
    public func issueToken(for record: RecordModel, in collection: CollectionModel, refreshable: Bool = true,
        duration: Int? = nil) async throws -> String
    {
        try await issueToken(.auth, for: record, in: collection, refreshable: refreshable, duration: duration)
    }

    // MARK: - Password login

    /// Finds the record by each identity field in turn and checks the password. Any failure is the same
    /// generic 400, so logins reveal nothing about which accounts exist.
    public func authWithPassword(
        collection collectionIDOrName: String, identity: String, password: String, identityField: String? = nil,
        clientIP: String = ""
    ) async throws -> (record: RecordModel, collection: CollectionModel) {
        let collection = try authCollection(collectionIDOrName)
        guard let auth = collection.auth else { throw SwiftbaseError.notFound() }
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
        let account = collection.id + "/" + identity
        let target = "\(collection.name)/\(identity)"
        let fields = identityField.map { [$0] } ?? auth.passwordIdentityFields
        let record = try await loginThrottle.attempt(account: account, ip: clientIP, auditTarget: target) {
            let found = try await findLoginRecord(
                identity, fields: fields, explicitField: identityField != nil, in: collection)
            let hash = found?.values["password"]?.stringValue ?? Self.dummyHash
            return try await passwords.verify(password, hash: hash) ? found : nil
        }
        guard let record else {
            throw SwiftbaseError.badRequest("Failed to authenticate.").audited("auth.login_failed", target: target)
        }
        var clean = record
        clean.values["password"] = .null
        return (clean, collection)
    }

    /// The record `identity` names: by each identity field in turn (email only when it looks like one,
    /// unless the client named the field), through the field's unique index.
    private func findLoginRecord(
        _ identity: String, fields: [String], explicitField: Bool, in collection: CollectionModel
    ) async throws -> RecordModel? {
        for name in Self.lookupOrder(fields) {
            if !explicitField, name == "email", !AddressFormat.isEmail(identity) { continue }
            guard collection.field(named: name) != nil, let index = Self.uniqueIndex(of: name, in: collection)
            else { continue }
            let column = quoteIdentifier(name)
            let matches =
                index.columns[0].collate?.uppercased() == "NOCASE"
                ? store.dialect.caseInsensitiveEquals(column, "?") : column + " = ?"
            let query = SQLFragment(
                unsafeRaw: "SELECT * FROM \(quoteIdentifier(collection.name)) WHERE \(matches) LIMIT 1",
                arguments: [.text(identity)])
            let found = try await store.read { conn in
                try conn.row(query).map { RecordRow.storedRecord(from: $0, in: collection) }
            }
            if found != nil { return found }
        }
        return nil
    }

    // MARK: - Helpers

    /// The auth collection named by a route, or PocketBase's 404.
    public func authCollection(_ idOrName: String) throws -> CollectionModel {
        guard let collection = registry.snapshot.collection(idOrName), collection.isAuth else {
            throw SwiftbaseError.notFound("Missing or invalid auth collection context.")
        }
        return collection
    }

    /// Identity fields in lookup order: email first, as PocketBase prefers it.
    static func lookupOrder(_ fields: [String]) -> [String] {
        fields.filter { $0 == "email" } + fields.filter { $0 != "email" }
    }

    /// The single-column UNIQUE index an identity field must have. Its collation decides how identities
    /// compare: the index's `NOCASE` collation makes the login case-insensitive; otherwise it is exact.
    static func uniqueIndex(of field: String, in collection: CollectionModel) -> IndexDefinition? {
        for statement in collection.indexes {
            guard let index = IndexDefinition(parsing: statement), index.unique, index.columns.count == 1,
                index.columns[0].name.equalsIgnoringASCIICase(field)
            else { continue }
            return index
        }
        return nil
    }

    /// Verifying against a fixed hash when no record matched keeps the response time the same.
    private static let dummyHash = "$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW3OC1ZH/lvQzC6u"

    /// The auth record with this email, compared as the email's unique index compares (exactly, unless the
    /// index's collation is `NOCASE`). Secrets (password hash, tokenKey) are kept: callers are trusted flows.
    public func findRecord(email: String, in collection: CollectionModel) async throws -> RecordModel? {
        guard !email.isEmpty, collection.isAuth else { return nil }
        let nocase = Self.uniqueIndex(of: "email", in: collection)?.columns.first?.collate?.uppercased() == "NOCASE"
        let matches = nocase ? store.dialect.caseInsensitiveEquals(#""email""#, "?") : #""email" = ?"#
        let query = SQLFragment(
            unsafeRaw: "SELECT * FROM \(quoteIdentifier(collection.name)) WHERE \(matches) LIMIT 1",
            arguments: [.text(email)])
        return try await store.read { conn in
            try conn.row(query).map { RecordRow.storedRecord(from: $0, in: collection) }
        }
    }

    /// The auth record with exactly this id as stored, its password hash included, for flows that must
    /// check a password.
    public func findStoredRecord(id: String, in collection: CollectionModel) async throws -> RecordModel? {
        try await store.read { conn in
            try conn.row(RecordService.selectByID(id, collection)).map { RecordRow.storedRecord(from: $0, in: collection) }
        }
    }

    /// The auth record with exactly this id (ids compare case-sensitively), with no rule applied.
    public func findRecord(id: String, in collection: CollectionModel) async throws -> RecordModel? {
        try await store.read { conn in
            try conn.row(RecordService.selectByID(id, collection)).map { RecordRow.record(from: $0, in: collection) }
        }
    }

    public static func context(for record: RecordModel, in collection: CollectionModel) -> AuthContext {
        collection.id == SystemCollections.superusersID ? AuthContext(.superuser(record)) : AuthContext(.record(record))
    }
}
