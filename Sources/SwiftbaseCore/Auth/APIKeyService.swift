import Crypto
import Foundation

/// A key as the API shows it: everything but the secret, which exists only in the answer to its creation.
public struct APIKeyInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the key (`sbk_AbCd1234`), so a person can tell keys apart.
    public var prefix: String
    public var scopes: [APIKeyScope]
    /// MQTT topic scopes, listed in `scopes` after the collection scopes (`{"topic", "actions"}`).
    public var topics: [APIKeyTopicScope] = []
    public var allowedIPs: [String]
    /// When the key stops working (`""`: never).
    public var expires: String
    /// When it was revoked (`""`: it was not).
    public var revoked: String
    public var created: String

    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "prefix": .string(prefix),
            "scopes": .array(
                scopes.map {
                    ["collection": .string($0.collection), "actions": .array($0.actions.map(\.rawValue).sorted().map(JSONValue.string))]
                }
                    + topics.map {
                        ["topic": .string($0.topic), "actions": .array($0.actions.sorted().map(JSONValue.string))]
                    }),
            "allowedIPs": allowedIPs.jsonArray, "expires": .string(expires), "revoked": .string(revoked),
            "created": .string(created),
        ]
    }
}

/// Scoped API keys for servers and scripts: created by a superuser and shown once, stored only as a SHA-256
/// digest (a key carries 238 bits of randomness, so a fast digest cannot be guessed back), limited to the
/// collections × actions of their scopes, optionally to an expiry time and to client IP ranges, and
/// revocable at once. Requests present them as `Authorization: Bearer sbk_…`.
public final class APIKeyService: Sendable {
    public static let keyPrefix = "sbk_"
    static let secretLength = 40

    let store: any Store
    let registry: SchemaRegistry

    /// What key expiry is checked against.
    public let clock: WallClock

    public init(store: any Store, registry: SchemaRegistry, clock: WallClock = .system) {
        self.store = store
        self.registry = registry
        self.clock = clock
    }

    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS "_apiKeys" (
            "id" TEXT PRIMARY KEY NOT NULL,
            "name" TEXT NOT NULL,
            "prefix" TEXT NOT NULL,
            "hash" TEXT NOT NULL UNIQUE,
            "scopes" JSON NOT NULL,
            "allowedIPs" JSON NOT NULL DEFAULT '[]',
            "expires" TEXT NOT NULL DEFAULT '',
            "revoked" TEXT NOT NULL DEFAULT '',
            "created" TEXT NOT NULL,
            "createdBy" TEXT NOT NULL DEFAULT ''
        )
        """

    // MARK: - Managing keys

    /// Creates a key from `{name, scopes: [{collection, actions}], expires?, allowedIPs?}` and returns it with
    /// its secret — the only time the secret is ever available.
    public func create(_ body: [String: JSONValue], by creator: String) async throws -> (key: String, info: APIKeyInfo) {
        let input = try APIKeyInput(body, schema: registry.snapshot, now: clock.now)
        let secret = Self.keyPrefix + RandomString.make(length: Self.secretLength, alphabet: RandomString.alphanumeric)
        var made = APIKeyInfo(
            id: Identifiers.randomString(pattern: "[a-z0-9]{15}"), name: input.name, prefix: String(secret.prefix(12)),
            scopes: input.scopes, allowedIPs: input.allowedIPs, expires: input.expires, revoked: "",
            created: DateTime.now())
        made.topics = input.topics
        let info = made
        let scopes = info.json["scopes"] ?? []
        try await store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: """
                        INSERT INTO "_apiKeys" ("id", "name", "prefix", "hash", "scopes", "allowedIPs", "expires", "created", "createdBy")
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        .text(info.id), .text(info.name), .text(info.prefix), .text(Self.digest(secret)),
                        .text(scopes.jsonString), .text(info.allowedIPs.jsonArray.jsonString), .text(info.expires),
                        .text(info.created), .text(creator),
                    ]))
        }
        return (secret, info)
    }

    public func list() async throws -> [APIKeyInfo] {
        let rows = try await store.read { conn in
            try conn.rows(SQLFragment(unsafeRaw: #"SELECT * FROM "_apiKeys" ORDER BY "created", "id""#))
        }
        return rows.compactMap(Self.info)
    }

    /// Revokes a key: from this moment every request with it is a guest. Revoked keys stay listed.
    public func revoke(id: String) async throws {
        let now = DateTime.now()
        let changed = try await store.write { conn -> Int in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: #"UPDATE "_apiKeys" SET "revoked" = ? WHERE "id" = ? AND "revoked" = ''"#,
                    arguments: [.text(now), .text(id)]))
            return conn.changedRowCount
        }
        if changed == 0 {
            let exists = try await store.read { conn in
                try conn.row(SQLFragment(unsafeRaw: #"SELECT 1 FROM "_apiKeys" WHERE "id" = ?"#, arguments: [.text(id)]))
            }
            if exists == nil { throw SwiftbaseError.notFound() }
        }
    }

    // MARK: - Authenticating

    /// The grant of a presented key. Throws `CredentialError`: `.malformed` for a key of the wrong shape,
    /// `.invalid` for an unknown one, `.revoked`, `.expired`, or `.addressNotAllowed` when `clientIP` is outside
    /// its allow-list; or the store's error when the keys cannot be read.
    public func grant(forKey key: String, clientIP: String) async throws -> APIKeyGrant {
        guard key.hasPrefix(Self.keyPrefix), key.count == Self.keyPrefix.count + Self.secretLength else {
            throw CredentialError(.malformed)
        }
        let digest = Self.digest(key)
        let row = try await store.read { conn in
            try conn.row(SQLFragment(unsafeRaw: #"SELECT * FROM "_apiKeys" WHERE "hash" = ?"#, arguments: [.text(digest)]))
        }
        guard let row, let info = Self.info(row) else { throw CredentialError(.invalid) }
        guard info.revoked.isEmpty else { throw CredentialError(.revoked) }
        if !info.expires.isEmpty {
            guard let expires = DateTime.parse(info.expires), expires > clock.now else { throw CredentialError(.expired) }
        }
        if !info.allowedIPs.isEmpty {
            guard let list = IPAllowList(info.allowedIPs), list.contains(clientIP) else {
                throw CredentialError(.addressNotAllowed)
            }
        }
        return APIKeyGrant(id: info.id, name: info.name, scopes: info.scopes, topics: info.topics)
    }

    static func digest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func info(_ row: StoreRow) -> APIKeyInfo? {
        guard let id = row["id"]?.textValue, let scopesText = row["scopes"]?.textValue,
            let scopesJSON = try? JSONValue.parse(scopesText)
        else { return nil }
        let topics = (scopesJSON.arrayValue ?? []).compactMap { item -> APIKeyTopicScope? in
            guard let topic = item["topic"]?.stringValue else { return nil }
            return APIKeyTopicScope(topic: topic, actions: Set((item["actions"]?.arrayValue ?? []).compactMap(\.stringValue)))
        }
        let scopes = (scopesJSON.arrayValue ?? []).compactMap { item -> APIKeyScope? in
            guard let collection = item["collection"]?.stringValue else { return nil }
            let actions = (item["actions"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(RecordAction.init) }
            return APIKeyScope(collection: collection, actions: Set(actions))
        }
        let allowed = (try? JSONValue.parse(row["allowedIPs"]?.textValue ?? "[]"))?.arrayValue?.compactMap(\.stringValue)
        var info = APIKeyInfo(
            id: id, name: row["name"]?.textValue ?? "", prefix: row["prefix"]?.textValue ?? "", scopes: scopes,
            allowedIPs: allowed ?? [], expires: row["expires"]?.textValue ?? "",
            revoked: row["revoked"]?.textValue ?? "", created: row["created"]?.textValue ?? "")
        info.topics = topics
        return info
    }
}
