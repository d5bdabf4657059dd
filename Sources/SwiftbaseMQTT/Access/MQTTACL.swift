public import SwiftbaseCore

/// What a client asks to do with a topic.
public enum MQTTAction: String, Sendable, Hashable {
    case publish, subscribe
}

/// `mqtt.acl` from the settings: entries `{"topic", "publish", "subscribe"}` tried in order. The first entry
/// whose topic (placeholders filled for the client) matches decides; no match denies. `publish` / `subscribe` are
/// rules over `@request.auth`: `""` lets any authenticated client, `null` nobody, anything else is a filter.
/// An empty list turns the ACL off (every connected client may publish and subscribe to anything).
public struct MQTTACL: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var topic: MQTTTopicPattern
        public var publish: String?
        public var subscribe: String?

        public init(topic: String, publish: String?, subscribe: String?) {
            self.topic = MQTTTopicPattern(topic)
            self.publish = publish
            self.subscribe = subscribe
        }

        public func rule(for action: MQTTAction) -> String? {
            action == .publish ? publish : subscribe
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The ACL of a settings document (its `mqtt.acl`).
    public init(settings: JSONValue) {
        entries = (settings["mqtt"]?["acl"]?.arrayValue ?? []).map { item in
            Entry(
                topic: item["topic"]?.stringValue ?? "", publish: item["publish"]?.stringValue,
                subscribe: item["subscribe"]?.stringValue)
        }
    }

    /// The entry that decides `action` on `topic` for `identity`: the first whose filter matches the topic name
    /// (publish) or covers the requested filter (subscribe; see `MQTTTopic.covers`).
    public func entry(for topic: String, identity: AuthContext) -> Entry? {
        entries.first { entry in
            guard let filter = entry.topic.filter(for: identity) else { return false }
            return MQTTTopic.covers(filter, topic)
        }
    }
}

/// How an access question is answered before any rule runs.
public enum MQTTAccessDecision: Sendable, Equatable {
    case allow
    case deny
    /// Allowed when this rule (over `@request.auth`) holds for the client.
    case evaluate(String)
}

extension MQTTACL {
    /// Topics under this prefix are the server's own (the record bridge): no client publishes there.
    public static let serverTopicPrefix = "$swiftbase/"

    /// Decides `action` on `topic` (a topic name to publish to, or a plain filter to subscribe to — a `$share/…`
    /// filter is judged by the filter inside it) for `identity`, in this order: no client publishes under
    /// `$swiftbase/`; superusers pass; an API key is judged by its topic scopes alone; with no ACL every client
    /// passes; otherwise the first matching entry's rule, and no match denies.
    public func decide(_ action: MQTTAction, topic: String, identity: AuthContext) -> MQTTAccessDecision {
        let plain = MQTTTopic.SharedFilter(topic)?.filter ?? topic
        if action == .publish && plain.hasPrefix(Self.serverTopicPrefix) { return .deny }
        if identity.isSuperuser { return .allow }
        if case .apiKey(let grant) = identity.identity {
            let granted = grant.topics.contains { scope in
                scope.actions.contains(action.rawValue) && MQTTTopic.covers(scope.topic, plain)
            }
            return granted ? .allow : .deny
        }
        if entries.isEmpty { return .allow }
        guard let entry = entry(for: plain, identity: identity), let rule = entry.rule(for: action) else { return .deny }
        if rule.allSatisfy(\.isWhitespace) { return identity.isAuthenticated ? .allow : .deny }
        return .evaluate(rule)
    }
}
