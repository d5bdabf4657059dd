import Foundation

/// What a record request does, as API-key scopes name it; `changes` reads the collection's change feed.
public enum RecordAction: String, Sendable, CaseIterable {
    case list, view, create, update, delete, changes
}

/// One scope of an API key: the actions it allows on one collection (by name), or on every non-system
/// collection with `*`.
public struct APIKeyScope: Sendable, Equatable {
    public var collection: String
    public var actions: Set<RecordAction>

    public init(collection: String, actions: Set<RecordAction>) {
        self.collection = collection
        self.actions = actions
    }

    /// `*` never reaches system collections (names starting with `_`): those must be named, and
    /// `_superusers` cannot be granted at all.
    func covers(_ collection: CollectionModel) -> Bool {
        if collection.id == SystemCollections.superusersID { return false }
        if self.collection == "*" { return !collection.system && !collection.name.hasPrefix("_") }
        return self.collection == collection.id || self.collection.equalsIgnoringASCIICase(collection.name)
    }
}

/// A topic scope of an API key, for the MQTT broker: the actions (`publish`, `subscribe`) it allows on the topics
/// a filter matches (`sensors/#`). A key connecting to the broker is judged by these alone, not by `mqtt.acl`.
public struct APIKeyTopicScope: Sendable, Equatable {
    public static let actionNames: Set<String> = ["publish", "subscribe"]

    public var topic: String
    public var actions: Set<String>

    public init(topic: String, actions: Set<String>) {
        self.topic = topic
        self.actions = actions
    }

    /// Whether `filter` is a valid MQTT topic filter (§4.7): not empty, `+` and `#` only as whole levels, `#` only
    /// last, no U+0000; no `$share/` group.
    public static func isValidFilter(_ filter: String) -> Bool {
        guard !filter.isEmpty, !filter.contains("\u{0}"), !filter.hasPrefix("$share/") else { return false }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("+") && level != "+" { return false }
            if level.contains("#") && (level != "#" || index != levels.count - 1) { return false }
        }
        return true
    }
}

/// The identity behind a valid API key: least privilege by construction. A key may do exactly what its
/// scopes list, with a superuser's reach inside them (rules do not apply, hidden fields are visible) and
/// nothing outside them — no admin endpoints, no other collections, not even through `expand`.
public struct APIKeyGrant: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scopes: [APIKeyScope]
    /// MQTT topic scopes (see `APIKeyTopicScope`).
    public var topics: [APIKeyTopicScope]

    public init(id: String, name: String, scopes: [APIKeyScope], topics: [APIKeyTopicScope] = []) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.topics = topics
    }

    public func allows(_ action: RecordAction, on collection: CollectionModel) -> Bool {
        scopes.contains { $0.covers(collection) && $0.actions.contains(action) }
    }
}

extension AuthContext {
    /// The identity a record action runs with. An API key whose scopes allow `action` on `collection` acts
    /// with superuser reach (its id is the actor in the change log) and keeps its grant, so expand can be
    /// checked collection by collection; a key without that scope is refused with 403. Other identities act
    /// as themselves.
    public func acting(_ action: RecordAction, on collection: CollectionModel) throws -> AuthContext {
        guard case .apiKey(let grant) = identity else { return self }
        guard grant.allows(action, on: collection) else {
            throw SwiftbaseError.forbidden("The API key is not allowed to perform this action.")
                .audited("apikey.denied", target: "\(collection.name) \(action.rawValue)")
        }
        let actor = RecordModel(collectionId: "_apiKeys", collectionName: "_apiKeys", values: ["id": .string(grant.id)])
        var acting = AuthContext(.superuser(actor))
        acting.apiKey = grant
        return acting
    }

    /// Whether this requester may read `collection` through `expand`: API keys need a `view` scope there.
    func mayExpand(into collection: CollectionModel) -> Bool {
        guard let grant = apiKey else { return true }
        return grant.allows(.view, on: collection)
    }
}
