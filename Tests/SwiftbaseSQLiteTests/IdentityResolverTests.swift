import Foundation
import SwiftbaseServices
import SwiftbaseSQLite
import Testing

@testable import SwiftbaseCore

/// Credential → identity on a real SQLite store: each kind of credential resolves to the identity it stands
/// for, and each bad one to the reason it is refused.
@Suite("Identity resolver", .timeLimit(.minutes(1)))
struct IdentityResolverTests {
    let system = RequestInfo(auth: .system, method: "POST")
    /// Long enough for HS256 (JWTKit asserts keys of at least 32 bytes), and not the record's.
    static let wrongKey = String(repeating: "k", count: 64)

    /// A store with a user, a superuser, the services the resolver needs and the resolver itself.
    struct Setup {
        let fixture: StoreFixture
        let auth: AuthService
        let apiKeys: APIKeyService
        let resolver: IdentityResolver
        let users: CollectionModel
        let user: RecordModel
        let superusers: CollectionModel
        let superuser: RecordModel

        init() async throws {
            fixture = try await StoreFixture("identity")
            auth = AuthService(store: fixture.store, registry: fixture.registry, passwords: BcryptPasswordHasher())
            apiKeys = APIKeyService(store: fixture.store, registry: fixture.registry)
            resolver = IdentityResolver(auth: auth, apiKeys: apiKeys, audit: AuditLog(store: fixture.store))
            let system = RequestInfo(auth: .system, method: "POST")
            let password = "Pass-word-123"
            let created = try await fixture.records.create(
                in: "users",
                input: RecordInput(["email": "ann@example.com", "password": .string(password), "passwordConfirm": .string(password)]),
                request: system)
            let admin = try await fixture.records.create(
                in: "_superusers",
                input: RecordInput(["email": "root@example.com", "password": .string(password), "passwordConfirm": .string(password)]),
                request: system)
            users = try auth.authCollection("users")
            superusers = try auth.authCollection("_superusers")
            // As stored, `tokenKey` included: tokens are signed with it.
            user = try #require(try await auth.findRecord(id: created.id, in: users))
            superuser = try #require(try await auth.findRecord(id: admin.id, in: superusers))
        }

        /// An auth token for `user` signed as the server signs them, with its own claims.
        func signedToken(type: String = "auth", exp: Int, key: String? = nil) async throws -> String {
            let claims = AuthTokenClaims(id: user.id, type: type, collectionId: users.id, refreshable: true, exp: exp)
            let tokenKey = user.values["tokenKey"]?.stringValue ?? ""
            return try await TokenSigner.sign(claims, key: key ?? tokenKey + (users.auth?.secret(for: .auth) ?? ""))
        }

        func apiKey(_ body: [String: JSONValue] = [:]) async throws -> (key: String, id: String) {
            var body = body
            body["name"] = body["name"] ?? "ci"
            body["scopes"] = [["collection": "users", "actions": ["list", "view"]]]
            let (key, info) = try await apiKeys.create(body, by: "test")
            return (key, info.id)
        }
    }

    // MARK: - Identities

    @Test(arguments: [nil, "", "   "] as [String?])
    func noCredentialIsAGuest(_ credential: String?) async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        #expect(try await setup.resolver.resolve(credential: credential, clientIP: "") == .guest)
    }

    @Test(arguments: ["", "Bearer ", "bearer ", "BEARER  "])
    func aRecordTokenIsItsRecordBareOrAfterBearer(_ scheme: String) async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let token = try await setup.auth.issueToken(for: setup.user, in: setup.users)
        let context = try await setup.resolver.resolve(credential: scheme + token, clientIP: "")
        guard case .record(let record) = context.identity else {
            Issue.record("expected a record identity, got \(context.identity)")
            return
        }
        #expect(record.id == setup.user.id && record.collectionId == setup.users.id)
        #expect(!context.isSuperuser)
        #expect(context.token == token)
        #expect(context.refreshable)
        #expect(context.apiKey == nil)
    }

    @Test func aSuperuserTokenIsASuperuser() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let token = try await setup.auth.issueToken(for: setup.superuser, in: setup.superusers)
        let context = try await setup.resolver.resolve(credential: token, clientIP: "")
        #expect(context.isSuperuser)
        #expect(context.record?.id == setup.superuser.id)
        #expect(context.token == token)
    }

    @Test func anImpersonationTokenIsItsRecordButNotRefreshable() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let token = try await setup.auth.issueToken(for: setup.user, in: setup.users, refreshable: false, duration: 60)
        let context = try await setup.resolver.resolve(credential: token, clientIP: "")
        #expect(context.record?.id == setup.user.id)
        #expect(!context.refreshable)
    }

    @Test func anAPIKeyIsItsGrantAndItsUseIsAuditedOnceAMinute() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let (key, id) = try await setup.apiKey()
        let context = try await setup.resolver.resolve(credential: "Bearer " + key, clientIP: "203.0.113.7")
        guard case .apiKey(let grant) = context.identity else {
            Issue.record("expected an API key identity, got \(context.identity)")
            return
        }
        #expect(grant.id == id)
        #expect(grant.scopes == [APIKeyScope(collection: "users", actions: [.list, .view])])
        #expect(context.token == nil && context.record == nil && !context.isSuperuser)
        _ = try await setup.resolver.resolve(credential: key, clientIP: "203.0.113.7")

        // Stored before `resolve` returned, and once for both uses.
        let rows = try await setup.fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT * FROM "_audit" WHERE "event" = 'apikey.use'"#))
        }
        #expect(rows.count == 1)
        #expect(rows.first?["actor"]?.textValue == "apikey:" + id)
        #expect(rows.first?["ip"]?.textValue == "203.0.113.7")
        #expect(rows.first?["target"]?.textValue == id)
    }

    @Test func anAPIKeyWithAnAllowListResolvesFromInsideIt() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let (key, id) = try await setup.apiKey(["allowedIPs": ["10.0.0.0/8"]])
        let context = try await setup.resolver.resolve(credential: key, clientIP: "10.1.2.3")
        #expect(context.identity == .apiKey(APIKeyGrant(id: id, name: "ci", scopes: [APIKeyScope(collection: "users", actions: [.list, .view])])))
    }

    // MARK: - Refusals

    /// `Bearer` with nothing after it is trimmed to the word itself, which is then the credential: no token.
    @Test(arguments: ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.x", "Bearer ", "bearer   "])
    func aMalformedTokenIsRefused(_ credential: String) async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        await #expect(throws: CredentialError(.malformed)) {
            try await setup.resolver.resolve(credential: credential, clientIP: "")
        }
    }

    @Test(arguments: [AuthTokenKind.file, .verification, .passwordReset, .emailChange])
    func tokensOfOtherTypesDoNotAuthenticate(_ kind: AuthTokenKind) async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let token = try await setup.auth.issueToken(
            kind, for: setup.user, in: setup.users, email: "ann@example.com", newEmail: "new@example.com")
        await #expect(throws: CredentialError(.unsupportedTokenType)) {
            try await setup.resolver.resolve(credential: token, clientIP: "")
        }
    }

    @Test func anExpiredTokenIsExpiredOnlyWhenGenuine() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let past = Int(Date().timeIntervalSince1970) - 60
        let expired = try await setup.signedToken(exp: past)
        await #expect(throws: CredentialError(.expired)) {
            try await setup.resolver.resolve(credential: expired, clientIP: "")
        }
        // Past its exp and forged: the signature is checked first, so it is invalid, not expired.
        let forged = try await setup.signedToken(exp: past, key: Self.wrongKey)
        await #expect(throws: CredentialError(.invalid)) {
            try await setup.resolver.resolve(credential: forged, clientIP: "")
        }
    }

    @Test func aForgedTokenIsInvalid() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let forged = try await setup.signedToken(exp: Int(Date().timeIntervalSince1970) + 600, key: Self.wrongKey)
        await #expect(throws: CredentialError(.invalid)) {
            try await setup.resolver.resolve(credential: forged, clientIP: "")
        }
    }

    @Test func aTokenDiesWithItsTokenKeyAndItsRecord() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        let token = try await setup.auth.issueToken(for: setup.user, in: setup.users)
        _ = try await setup.fixture.records.update(
            in: "users", id: setup.user.id,
            input: RecordInput(["password": "Other-pass-456", "passwordConfirm": "Other-pass-456"]), request: system)
        await #expect(throws: CredentialError(.invalid)) {
            try await setup.resolver.resolve(credential: token, clientIP: "")
        }

        let fresh = try #require(try await setup.auth.findRecord(id: setup.user.id, in: setup.users))
        let current = try await setup.auth.issueToken(for: fresh, in: setup.users)
        #expect(try await setup.resolver.resolve(credential: current, clientIP: "").record?.id == setup.user.id)
        try await setup.fixture.records.delete(in: "users", id: setup.user.id, request: system)
        await #expect(throws: CredentialError(.invalid)) {
            try await setup.resolver.resolve(credential: current, clientIP: "")
        }
    }

    @Test func badAPIKeysSayWhy() async throws {
        let setup = try await Setup()
        defer { setup.fixture.remove() }
        await #expect(throws: CredentialError(.malformed)) {
            try await setup.resolver.resolve(credential: "sbk_short", clientIP: "")
        }
        await #expect(throws: CredentialError(.invalid)) {
            try await setup.resolver.resolve(credential: "sbk_" + String(repeating: "x", count: 40), clientIP: "")
        }

        let (revoked, revokedID) = try await setup.apiKey()
        try await setup.apiKeys.revoke(id: revokedID)
        await #expect(throws: CredentialError(.revoked)) {
            try await setup.resolver.resolve(credential: revoked, clientIP: "")
        }

        let (expired, expiredID) = try await setup.apiKey(["expires": "2999-01-01 00:00:00.000Z"])
        try await setup.fixture.store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_apiKeys" SET "expires" = '2001-01-01 00:00:00.000Z' WHERE "id" = ?"#,
                    arguments: [.text(expiredID)]))
        }
        await #expect(throws: CredentialError(.expired)) {
            try await setup.resolver.resolve(credential: expired, clientIP: "")
        }

        let (fenced, _) = try await setup.apiKey(["allowedIPs": ["10.0.0.0/8"]])
        await #expect(throws: CredentialError(.addressNotAllowed)) {
            try await setup.resolver.resolve(credential: fenced, clientIP: "192.168.1.1")
        }

        // Refused keys leave no trace of use.
        let uses = try await setup.fixture.store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT * FROM "_audit" WHERE "event" = 'apikey.use'"#))
        }
        #expect(uses.isEmpty)
    }

    @Test func credentialErrorsNeverShowTheCredential() {
        let error = CredentialError(.expired)
        #expect(error.description == "credential rejected: expired")
    }
}
