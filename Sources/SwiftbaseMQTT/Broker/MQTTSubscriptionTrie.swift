/// The subscriptions of every session, indexed by topic level so a PUBLISH finds its subscribers by walking its
/// topic once instead of testing every filter. `+` and `#` are children like any level; a topic starting with `$`
/// is not matched by a wildcard at the first level (§4.7.2). Shared subscriptions (`$share/{group}/{filter}`) sit
/// at their filter's node under their group.
///
/// A value type without locking: the broker keeps it inside its own lock.
struct MQTTSubscriptionTrie {
    /// One subscription as stored: the client's options and, in MQTT 5, its subscription identifier.
    struct Entry: Sendable, Hashable {
        var options: MQTTSubscription
        var identifier: UInt32?
    }

    /// Subscribers of a shared group at one filter.
    struct SharedMatch: Equatable {
        /// `group` + NUL + `filter`: what the broker's round-robin cursor is kept under.
        var key: String
        /// Client identifiers in a stable order, with their subscription.
        var members: [(clientID: String, entry: Entry)]

        static func == (a: Self, b: Self) -> Bool {
            a.key == b.key && a.members.map(\.clientID) == b.members.map(\.clientID)
        }
    }

    private final class Node {
        var children: [[UInt8]: Node] = [:]
        var subscribers: [String: Entry] = [:]
        var shared: [String: [String: Entry]] = [:]
        var isEmpty: Bool { children.isEmpty && subscribers.isEmpty && shared.isEmpty }
    }

    private var root = Node()
    private(set) var count = 0

    /// Adds or replaces `clientID`'s subscription to `filter` (a full filter, `$share/…` included). Returns
    /// whether it is new (MQTT 5 retain handling 1 sends retained messages only for a new one).
    @discardableResult
    mutating func insert(clientID: String, filter: String, entry: Entry) -> Bool {
        let (group, plain) = Self.split(filter)
        var node = root
        for level in MQTTTopic.levels(plain) {
            if let next = node.children[level] {
                node = next
            } else {
                let next = Node()
                node.children[level] = next
                node = next
            }
        }
        let isNew: Bool
        if let group {
            isNew = node.shared[group, default: [:]].updateValue(entry, forKey: clientID) == nil
        } else {
            isNew = node.subscribers.updateValue(entry, forKey: clientID) == nil
        }
        if isNew { count += 1 }
        return isNew
    }

    /// Removes `clientID`'s subscription to `filter`; returns whether there was one.
    @discardableResult
    mutating func remove(clientID: String, filter: String) -> Bool {
        let (group, plain) = Self.split(filter)
        var path: [(Node, [UInt8])] = []
        var node = root
        for level in MQTTTopic.levels(plain) {
            guard let next = node.children[level] else { return false }
            path.append((node, level))
            node = next
        }
        let removed: Bool
        if let group {
            removed = node.shared[group]?.removeValue(forKey: clientID) != nil
            if node.shared[group]?.isEmpty == true { node.shared[group] = nil }
        } else {
            removed = node.subscribers.removeValue(forKey: clientID) != nil
        }
        guard removed else { return false }
        count -= 1
        // Prune nodes left empty, from the leaf up.
        var child = node
        for (parent, level) in path.reversed() {
            guard child.isEmpty else { break }
            parent.children[level] = nil
            child = parent
        }
        return true
    }

    /// Every subscription matching topic `name`: plain subscribers (a client matched by several filters appears
    /// once per filter) and the shared groups whose filter matches. On every PUBLISH: the filter a node stands for
    /// is spelled out only when a shared group sits there.
    func matches(_ name: String) -> (subscribers: [(clientID: String, entry: Entry)], shared: [SharedMatch]) {
        var walk = Walk(levels: MQTTTopic.levels(name), dollar: name.utf8.first == UInt8(ascii: "$"))
        walk.visit(root, depth: 0)
        return (walk.subscribers, walk.shared)
    }

    /// One `matches` walk: what it found so far and the filter levels from the root to the node being visited.
    /// A struct with mutating methods rather than nested closures, which would box the state they change.
    private struct Walk {
        let levels: [[UInt8]]
        let dollar: Bool
        var path: [[UInt8]] = []
        var subscribers: [(clientID: String, entry: Entry)] = []
        var shared: [SharedMatch] = []

        init(levels: [[UInt8]], dollar: Bool) {
            self.levels = levels
            self.dollar = dollar
        }

        mutating func collect(_ node: Node) {
            for (id, entry) in node.subscribers { subscribers.append((id, entry)) }
            guard !node.shared.isEmpty else { return }
            let filter = path.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
            for (group, members) in node.shared {
                shared.append(
                    SharedMatch(
                        key: group + "\u{0}" + filter,
                        members: members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
            }
        }

        mutating func visit(_ node: Node, depth: Int) {
            let wildcardsAllowed = !(dollar && depth == 0)
            if wildcardsAllowed, let next = node.children[MQTTSubscriptionTrie.hash] {
                path.append(MQTTSubscriptionTrie.hash)
                collect(next)
                path.removeLast()
            }
            guard depth < levels.count else { return collect(node) }
            if let exact = node.children[levels[depth]] {
                path.append(levels[depth])
                visit(exact, depth: depth + 1)
                path.removeLast()
            }
            if wildcardsAllowed, let next = node.children[MQTTSubscriptionTrie.plus] {
                path.append(MQTTSubscriptionTrie.plus)
                visit(next, depth: depth + 1)
                path.removeLast()
            }
        }
    }

    private static let hash: [UInt8] = [UInt8(ascii: "#")]
    private static let plus: [UInt8] = [UInt8(ascii: "+")]

    /// `$share/g/a/b` → ("g", "a/b"); `a/b` → (nil, "a/b").
    static func split(_ filter: String) -> (group: String?, filter: String) {
        if let shared = MQTTTopic.SharedFilter(filter) { return (shared.group, shared.filter) }
        return (nil, filter)
    }
}
