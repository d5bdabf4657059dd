import GraphQL
import Synchronization

/// Documents already parsed and validated against one schema, by their text: apps send the same few queries
/// over and over, and parsing plus the specification's validation rules cost more than many a resolver. Lives
/// in the schema bundle, so a schema change starts empty; only valid documents are kept.
///
/// Bounded twice: queries longer than `maxQueryLength` are not kept, and when `capacity` is reached the cache
/// starts over (a hostile client sending ever-new queries costs itself parsing, never memory).
final class DocumentCache: Sendable {
    /// A parsed document; its nodes are never mutated after parsing.
    final class Entry: @unchecked Sendable {
        let document: Document
        /// `FastQuery` plans of its operations that declare no variables, by operation name ("" for none
        /// given): such a plan depends on nothing but the document and the schema.
        let plans = Mutex<[String: Plan]>([:])
        init(_ document: Document) { self.document = document }
    }

    /// A plan made once and shared by every request that sends the same document; nil: not a fast-path query.
    final class Plan: @unchecked Sendable {
        let query: FastQuery?
        init(_ query: FastQuery?) { self.query = query }
    }

    let capacity: Int
    let maxQueryLength: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 512, maxQueryLength: Int = 8192) {
        self.capacity = capacity
        self.maxQueryLength = maxQueryLength
    }

    func document(for query: String) -> Document? {
        entries.withLock { $0[query] }?.document
    }

    /// The plan of `operationName` in the cached document of `query`, made by `make` the first time; `make`'s
    /// answer uncached when the document is not cached.
    func plan(for query: String, operationName: String?, make: () -> FastQuery?) -> FastQuery? {
        guard let entry = entries.withLock({ $0[query] }) else { return make() }
        let key = operationName ?? ""
        if let known = entry.plans.withLock({ $0[key] }) { return known.query }
        let plan = Plan(make())
        entry.plans.withLock { $0[key] = plan }
        return plan.query
    }

    func insert(_ document: Document, for query: String) {
        guard query.utf8.count <= maxQueryLength else { return }
        let entry = Entry(document)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[query] = entry
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
