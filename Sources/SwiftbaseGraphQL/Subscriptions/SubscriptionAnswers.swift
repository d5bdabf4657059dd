import Synchronization

/// The answers to one committed change, shared by the subscriptions that would compute the same one: the same
/// operation (query text, variables, operation name) for the same requester, judged against the same change.
/// A public feed watched by a thousand anonymous clients is then judged, executed and encoded once per change
/// instead of a thousand times; the first connection to ask computes, the others wait for its answer.
///
/// Requesters are the same when their identity is (a guest; an API key; a record at the same `updated`
/// time, so a connection holding an older copy of its auth record never borrows a newer one's answer).
final class SubscriptionAnswers: Sendable {
    struct Key: Hashable, Sendable {
        let seq: Int64
        let query: String
        let variables: String
        let operationName: String?
        let requester: String
    }

    /// Answers kept, at most: enough for the subscriptions of the last few changes.
    static let capacity = 4_096

    private struct Table {
        var answers: [Key: Task<String?, Never>] = [:]
        var order: [Key] = []
    }

    private let table = Mutex(Table())

    /// The payload for `key` (nil: the change is not for this subscription), computed by `compute` at most
    /// once for all who ask.
    func answer(_ key: Key, compute: @escaping @Sendable () async -> String?) async -> String? {
        let task = table.withLock { table -> Task<String?, Never> in
            if let known = table.answers[key] { return known }
            let task = Task { await compute() }
            table.answers[key] = task
            table.order.append(key)
            if table.order.count > Self.capacity {
                let dropped = table.order.prefix(table.order.count - Self.capacity)
                for old in dropped { table.answers[old] = nil }
                table.order.removeFirst(dropped.count)
            }
            return task
        }
        return await task.value
    }
}
